#!/usr/bin/env node
// Entry point. `--version` is answered before oclif loads (the hot path of
// scripts and start-up benchmarks). Everything else runs the bundled CLI with
// its V8 code cache when the bundle is at least as new as the plain build
// (scripts/bundle.js), else the plain build (development after a bare tsc).
import {readFileSync, statSync, writeFileSync} from 'node:fs';
import Module, {createRequire} from 'node:module';
import {dirname} from 'node:path';
import {fileURLToPath} from 'node:url';
import vm from 'node:vm';
import {fastPath} from '../dist/fast-path.js';

const argv = process.argv.slice(2);
const dist = new URL('../dist/', import.meta.url);
const mtime = (file) => {
  try {
    return statSync(new URL(file, dist)).mtimeMs;
  } catch {
    return -1;
  }
};

if (!fastPath(argv)) {
  if (mtime('bundle/cli.cjs') >= mtime('main.js')) {
    const {run} = loadBundle(fileURLToPath(new URL('bundle/cli.cjs', dist)));
    await run(argv, './dist/bundle/cli.cjs');
  } else {
    const {run} = await import(new URL('main.js', dist).href);
    await run(argv, './dist/commands.js');
  }
}

// Loads the CommonJS bundle through vm.Script with its code cache, and
// registers it in require's cache so oclif's own require of it gets this copy.
function loadBundle(file) {
  const cacheFile = `${file}.cache`;
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(readFileSync(file, 'utf8')), {
    filename: file,
    cachedData,
    importModuleDynamically: (specifier) => import(specifier.startsWith('.') ? new URL(specifier, `file://${file}`).href : import.meta.resolve(specifier)),
  });
  const require = createRequire(file);
  const module = {exports: {}, id: file, filename: file, loaded: false, children: [], paths: []};
  script.runInThisContext()(module.exports, require, module, file, dirname(file));
  module.loaded = true;
  require.cache[file] = module;
  if (process.env.SIDECAR_WRITE_CODE_CACHE === '1') {
    process.on('exit', () => writeFileSync(cacheFile, script.createCachedData()));
  }
  return module.exports;
}
