#!/bin/sh
":" //; case "${1-}" in up|down) sidecar_sh=$0; [ -L "$0" ] && sidecar_sh=$(readlink -f "$0"); sidecar_sh=${sidecar_sh%/*}/$1.sh;; esac; if [ "${1-}" = down ] && [ -r "$sidecar_sh" ]; then . "$sidecar_sh"; fi; case "${DOCKER_HOST-}" in ""|unix://*|/*) if [ -n "${NODE_EXTRA_CA_CERTS-}" ]; then SIDECAR_SAVED_NODE_EXTRA_CA_CERTS=$NODE_EXTRA_CA_CERTS; export SIDECAR_SAVED_NODE_EXTRA_CA_CERTS; unset NODE_EXTRA_CA_CERTS; fi;; esac; if [ "${1-}" = up ] && [ -r "$sidecar_sh" ]; then . "$sidecar_sh"; fi; exec node "$0" "$@"
// Entry point, run by sh then node (line 2 is both a shell command and a JS
// comment): a plain `down` of a detached stack is done by sh alone (bin/down.sh,
// which returns here at any doubt; issue 13.1). When the Docker engine is local, Node starts without
// NODE_EXTRA_CA_CERTS, which restore-env.js puts back first thing (issue 13.1:
// Node reads that whole bundle at start-up, 50-150 ms, and this process never
// verifies a certificate with it). `node bin/run.js` runs the Node part alone.
// CommonJS (bin/package.json), with what it needs first in one bundle (src/boot.ts):
// `--version` is answered before oclif loads (the hot path of scripts and start-up
// benchmarks); `up -d` / `up --wait` start the detached supervisor before it
// (src/host/prespawn.ts), and plain `up -d`/`up --wait`/`down`/`validate` run without
// oclif (src/lean-argv.ts), `validate` from its own smaller bundle. Everything else runs the bundled CLI with its V8 code cache
// (scripts/bundle.js), or the plain build in development.
require('./restore-env.js');
const path = require('node:path');
const {currentBundle, loadBundle, plainEntry} = require('./load-bundle.js');

async function main(argv) {
  if (argv[0] === '__complete') {
    // Shell completion asks on every Tab: answered without oclif's start-up.
    const {completeMain} = await import(plainEntry('completion/complete-main.js'));
    await completeMain(argv.slice(1));
    return;
  }
  const boot = currentBundle('boot', 'boot.js');
  const {fastPath, prespawnSupervisor, prespawnTarget, leanCommand} = boot ? loadBundle(boot) : await import(plainEntry('boot.js'));
  if (fastPath(argv, path.join(__dirname, '..', 'package.json'))) return;
  const lean = leanCommand(argv, process.env);
  // `up -d` / `up --wait`: the detached supervisor starts now, alongside the CLI (issue 13.1).
  const target = lean?.command === 'up' ? lean.flags.file : prespawnTarget(argv, process.env);
  if (target !== undefined) prespawnSupervisor(target, lean?.command === 'up' ? lean.flags.runtime : undefined);
  // Plain `up -d`/`up --wait`/`down`/`validate`: the same code without oclif (src/lean-argv.ts).
  const leanCli = async () => {
    const bundle = currentBundle('lean', 'lean-cli.js');
    return bundle ? loadBundle(bundle) : await import(plainEntry('lean-cli.js'));
  };
  if (lean?.command === 'down') {
    // A supervisor that answers and stops, from a bundle of its own; else the lean CLI (src/lean-down.ts).
    const bundle = currentBundle('down', 'lean-down.js');
    const {runLeanDown} = bundle ? loadBundle(bundle) : await import(plainEntry('lean-down.js'));
    await runLeanDown(lean, leanCli);
  } else if (lean?.command === 'validate') {
    // The manifest pipeline alone, from a bundle of its own (src/lean-validate.ts).
    const bundle = currentBundle('validate', 'lean-validate.js');
    const {runLeanValidate} = bundle ? loadBundle(bundle) : await import(plainEntry('lean-validate.js'));
    await runLeanValidate(lean);
  } else if (lean) {
    await (await leanCli()).runLean(lean);
  } else {
    const bundle = currentBundle('cli', 'main.js');
    if (bundle) {
      await loadBundle(bundle).run(argv, './dist/bundle/cli.cjs');
    } else {
      const {run} = await import(plainEntry('main.js'));
      await run(argv, './dist/commands.js');
    }
  }
}

main(process.argv.slice(2));
