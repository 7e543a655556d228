// Bundles the CLI's hot path (oclif, yaml, chalk, the commands and the manifest
// pipeline) into one CommonJS file, dist/bundle/cli.cjs, and records a V8 code
// cache for it (bin/run.js loads both), so a command starts without resolving
// hundreds of modules or recompiling oclif. Node 20 has no module compile cache.
// dockerode has a bundle and code cache of its own, loaded only where Docker is used; re2js loads from
// node_modules on the first log: pattern with regex syntax (src/manifest/user-regex.ts).
import {execFileSync, spawnSync} from 'node:child_process';
import {copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import Module, {createRequire} from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import {build} from 'esbuild';

rmSync('dist/bundle', {recursive: true, force: true});
const common = {
  outdir: 'dist/bundle',
  outExtension: {'.js': '.cjs'},
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  minify: true,
  legalComments: 'linked',
  // ESM-only packages (execa, listr2, chalk) are bundled too, so the bundle has
  // no real import() left: functions restored from a V8 code cache lose the
  // dynamic-import callback on Node 20. dockerode and ajv are CommonJS.
  external: ['dockerode', 'docker-modem', 'ssh2', 'cpu-features', 'ajv', 'typescript', 'ts-node', 'tsx'],
  define: {'import.meta.url': '__sidecarImportMetaUrl'},
  banner: {js: "const __sidecarImportMetaUrl = require('node:url').pathToFileURL(__filename).href;"},
  logLevel: 'warning',
};
// Issue 13.2: dockerode took 35-65 ms to load in every detached supervisor of a
// Docker stack, on the path to its first engine call (and more under load). It gets
// a bundle of its own, dist/bundle/dockerode.cjs, with a V8 code cache recorded
// below; every bundle that imports dockerode loads that file through vm.Script
// with the cache (~17 ms here), or the plain package when the file is missing.
// Its two parts that pull in gRPC and ssh2 stay out and load on first call, as
// src/runtime/docker/lazy-extras.ts does for the plain package.
const LAZY_PARTS = /[\\/](dockerode[\\/]lib[\\/]session|docker-modem[\\/]lib[\\/]ssh)\.js$/;
// docker-modem requires https (and with it tls and node:crypto, ~8-10 ms here) and
// dockerode zlib at load, for a TLS engine and for gzipped build contexts: each is
// loaded on first use instead, through a stand-in that forwards every property
// (docker-modem makes objects whose prototype is the https module).
const LAZY_BUILTINS = /^(node:)?(https|zlib)$/;
const lazyBuiltin = (name) => `let real;
const load = () => (real ??= require('node:${name}'));
module.exports = new Proxy({}, {
  get: (_target, key) => load()[key],
  has: (_target, key) => key in load(),
  ownKeys: () => Reflect.ownKeys(load()),
  getOwnPropertyDescriptor: (_target, key) => {
    const descriptor = Reflect.getOwnPropertyDescriptor(load(), key);
    return descriptor && {...descriptor, configurable: true};
  },
});
`;
await build({
  ...common,
  entryPoints: {dockerode: createRequire(import.meta.url).resolve('dockerode')},
  external: ['@grpc/grpc-js', '@grpc/proto-loader', 'ssh2', 'cpu-features'],
  plugins: [
    {
      name: 'lazy-dockerode-parts',
      setup(on) {
        on.onResolve({filter: /^(dockerode\/lib\/session|docker-modem\/lib\/ssh)\.js$/}, (args) => ({path: args.path, external: true}));
        on.onResolve({filter: LAZY_BUILTINS}, (args) => (args.namespace === 'lazy-builtin' ? {path: args.path, external: true} : {path: args.path.replace(/^node:/, ''), namespace: 'lazy-builtin'}));
        on.onLoad({filter: /.*/, namespace: 'lazy-builtin'}, (args) => ({contents: lazyBuiltin(args.path), loader: 'js'}));
        on.onLoad({filter: LAZY_PARTS}, (args) => {
          const real = /session/.test(args.path) ? 'dockerode/lib/session.js' : 'docker-modem/lib/ssh.js';
          return {contents: `let real; module.exports = function () { real ??= require(${JSON.stringify(real)}); return real.apply(this, arguments); };`, loader: 'js'};
        });
      },
    },
  ],
});
const dockerodeFromBundle = {
  name: 'dockerode-from-bundle',
  setup(on) {
    on.onResolve({filter: /^dockerode$/}, (args) => (args.namespace === 'dockerode-loader' ? {path: 'dockerode', external: true} : {path: 'dockerode', namespace: 'dockerode-loader'}));
    on.onLoad({filter: /.*/, namespace: 'dockerode-loader'}, () => ({
      loader: 'js',
      resolveDir: '.',
      // bin/load-bundle.js (CommonJS) reads it with its code cache, as it reads every bundle.
      contents: `
const path = require('node:path');
const file = path.join(__dirname, 'dockerode.cjs');
module.exports = require('node:fs').existsSync(file) ? require(path.join(__dirname, '..', '..', 'bin', 'load-bundle.js')).loadBundle(file) : require('dockerode');
`,
    }));
  },
};
const withDockerode = {...common, external: common.external.filter((name) => name !== 'dockerode'), plugins: [dockerodeFromBundle]};
// What bin/run.js needs first (src/boot.ts): builtins only, no dockerode.
await build({...common, entryPoints: {boot: 'dist/boot.js'}});
// The CLI, and the detached supervisor (bin/supervisor.js), which must start fast too.
await build({...withDockerode, entryPoints: {cli: 'dist/cli.js'}});
await build({...withDockerode, entryPoints: {supervisor: 'dist/host/supervisor-main.js'}});
// Plain `up -d`/`up --wait`/`down` without oclif (issue 13.1; bin/run.js, src/lean-argv.ts).
await build({...withDockerode, entryPoints: {lean: 'dist/lean-cli.js'}});
// A plain `down` whose supervisor answers (src/lean-down.ts): no manifest, no runtime.
await build({...common, entryPoints: {down: 'dist/lean-down.js'}});
// A plain `validate` (src/lean-validate.ts): the manifest pipeline, a third of the lean bundle.
await build({...common, entryPoints: {validate: 'dist/lean-validate.js'}});
// A bundle compiled as bin/load-bundle.js compiles it, for its V8 code cache.
const compileBundle = (file) => new vm.Script(Module.wrap(readFileSync(file, 'utf8')), {filename: file});
// dockerode's cache from loading it and making a client (no engine needed): its
// module bodies and constructors compiled, as a supervisor runs them.
{
  const file = path.resolve('dist/bundle/dockerode.cjs');
  const script = compileBundle(file);
  const loaded = {exports: {}};
  script.runInThisContext()(loaded.exports, createRequire(file), loaded, file, path.dirname(file));
  new loaded.exports({socketPath: '/nonexistent'}).getContainer('sample');
  writeFileSync(`${file}.cache`, script.createCachedData());
}
copyFileSync('dist/manifest/schema-validator.cjs', 'dist/bundle/schema-validator.cjs');
// Record the code cache from a representative run: load + validate + generate.
execFileSync(process.execPath, ['bin/run.js', 'generate', 'k8s', '-f', 'schema/code-cache-sample.yaml'], {
  env: {...process.env, SIDECAR_WRITE_CODE_CACHE: '1'},
  stdio: 'ignore',
});
// The lean bundle's cache from a run that fails early and writes nothing: a
// `down` where there is neither a stack nor a manifest (exit 3).
spawnSync(process.execPath, ['bin/run.js', 'down', '-f', path.join(os.tmpdir(), `sidecar-no-project-${process.pid}`, 'sidecar.yaml')], {
  env: {...process.env, SIDECAR_WRITE_CODE_CACHE: '1'},
  stdio: 'ignore',
});
// A `validate` of the sample (the validate bundle's cache).
spawnSync(process.execPath, ['bin/run.js', 'validate', '-f', 'schema/code-cache-sample.yaml'], {env: {...process.env, SIDECAR_WRITE_CODE_CACHE: '1'}, stdio: 'ignore'});
// Then an `up -d` that reads, validates and plans a stack and stops at the port check
// (on a port held here; exit 5, nothing started): the manifest pipeline (yaml, the
// schema, normalize) was compiled lazily on every `up` before, 80 ms of `up -d` under
// load here (issue 13.1). This run loads the first run's cache, so it writes the union.
const holder = net.createServer();
await new Promise((resolve) => holder.listen(0, '127.0.0.1', resolve));
const held = holder.address().port;
const project = mkdtempSync(path.join(os.tmpdir(), 'sidecar-code-cache-'));
const manifest = path.join(project, 'sidecar.yaml');
writeFileSync(
  manifest,
  `version: 1\nname: cache\napp:\n  command: [node, -e, "setInterval(() => {}, 1000)"]\n  env: {PORT: "\${PORT:-${held}}"}\n  ports: ["${held}:${held}"]\n` +
    `  health: {http: {port: ${held}, path: /healthz}, interval: 1s}\nsidecars:\n  tail:\n    command: [node, -e, "console.log('watching')"]\n    health: {log: watching}\n`,
);
const up = spawnSync(process.execPath, ['bin/run.js', 'up', '-d', '--runtime', 'process', '-f', manifest], {env: {...process.env, SIDECAR_WRITE_CODE_CACHE: '1'}, stdio: 'ignore'});
if (up.status === 0) spawnSync(process.execPath, ['bin/run.js', 'down', '-f', manifest], {stdio: 'ignore'});
holder.close();
rmSync(project, {recursive: true, force: true});
// The detached supervisor gets a code cache too (issue 13.1): compiling its bundle
// cost ~22ms of each `up -d`/`up --wait` here, ~2ms from the cache. First from a
// compile; bin/load-bundle.js reads it.
const supervisor = path.resolve('dist/bundle/supervisor.cjs');
const script = compileBundle(supervisor);
writeFileSync(`${supervisor}.cache`, script.createCachedData());
// Better, from a run (issue 13.1): a two-service stack brought up ready and down in a
// temporary project, the supervisor writing its cache as it exits (and the lean
// bundle adding up --wait's and down's paths). A compile-only cache leaves every
// function the start and the ordered stop run to be compiled on each `up`/`down`.
// If that run fails, the compile cache above stays.
const free = await new Promise((resolve) => {
  const probe = net.createServer().listen(0, '127.0.0.1', () => {
    const {port} = probe.address();
    probe.close(() => resolve(port));
  });
});
const stack = mkdtempSync(path.join(os.tmpdir(), 'sidecar-code-cache-run-'));
const stackFile = path.join(stack, 'sidecar.yaml');
writeFileSync(
  stackFile,
  `version: 1\nname: cache\napp:\n  command: [node, -e, "require('net').createServer().listen(${free}, '127.0.0.1')"]\n  health: {tcp: {port: ${free}}}\n` +
    `sidecars:\n  tail:\n    command: [node, -e, "console.log('watching'); setInterval(() => {}, 1000)"]\n    health: {log: watching}\n`,
);
const recording = {env: {...process.env, SIDECAR_WRITE_CODE_CACHE: '1'}, stdio: 'ignore', timeout: 60_000};
const ready = spawnSync(process.execPath, ['bin/run.js', 'up', '--wait', '--runtime', 'process', '-f', stackFile], recording);
const stopped = spawnSync(process.execPath, ['bin/run.js', 'down', '-f', stackFile], recording);
if (ready.status !== 0 || stopped.status !== 0) writeFileSync(`${supervisor}.cache`, script.createCachedData());
rmSync(stack, {recursive: true, force: true});
