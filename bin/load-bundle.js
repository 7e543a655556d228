// Loads a CommonJS bundle from dist/bundle/ through vm.Script with its V8 code
// cache (Node 20 has no module compile cache), and registers it in require's
// cache so a later require of the same file (oclif's) gets this copy.
import {readFileSync, statSync, writeFileSync} from 'node:fs';
import Module, {createRequire} from 'node:module';
import {dirname} from 'node:path';
import {fileURLToPath} from 'node:url';
import vm from 'node:vm';

const dist = new URL('../dist/', import.meta.url);

function mtime(file) {
  try {
    return statSync(new URL(file, dist)).mtimeMs;
  } catch {
    return -1;
  }
}

// The bundle is used when it is at least as new as the plain build it was made
// from; after a bare `tsc` (development) the plain build wins.
export function currentBundle(name, plainFile) {
  return mtime(`bundle/${name}.cjs`) >= mtime(plainFile) ? fileURLToPath(new URL(`bundle/${name}.cjs`, dist)) : undefined;
}

export function plainEntry(file) {
  return new URL(file, dist).href;
}

export function loadBundle(file) {
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
  require.cache[file] = module;
  script.runInThisContext()(module.exports, require, module, file, dirname(file));
  module.loaded = true;
  if (process.env.SIDECAR_WRITE_CODE_CACHE === '1') {
    process.on('exit', () => writeFileSync(cacheFile, script.createCachedData()));
  }
  return module.exports;
}
