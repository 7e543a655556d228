// Loads a CommonJS bundle from dist/bundle/ through vm.Script with its V8 code
// cache (Node 20 has no module compile cache), and registers it in require's
// cache so a later require of the same file (oclif's) gets this copy.
// bin/ is CommonJS (bin/package.json): an ESM entry costs Node's module loader
// ~7ms before the first line runs, on the start of every command and supervisor.
const {readFileSync, statSync, writeFileSync} = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const {pathToFileURL} = require('node:url');
const vm = require('node:vm');

const dist = path.join(__dirname, '..', 'dist');

function mtime(file) {
  try {
    return statSync(path.join(dist, file)).mtimeMs;
  } catch {
    return -1;
  }
}

// The bundle is used when it is at least as new as the plain build it was made
// from; after a bare `tsc` (development) the plain build wins.
function currentBundle(name, plainFile) {
  return mtime(`bundle/${name}.cjs`) >= mtime(plainFile) ? path.join(dist, 'bundle', `${name}.cjs`) : undefined;
}

// The plain build's module, for import().
function plainEntry(file) {
  return pathToFileURL(path.join(dist, file)).href;
}

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
    // A real import() left in a bundle: relative to the bundle, or a package resolved from here.
    importModuleDynamically: (specifier) => import(specifier.startsWith('.') ? pathToFileURL(path.resolve(path.dirname(file), specifier)).href : specifier),
  });
  const require = Module.createRequire(file);
  const module = {exports: {}, id: file, filename: file, loaded: false, children: [], paths: []};
  require.cache[file] = module;
  script.runInThisContext()(module.exports, require, module, file, path.dirname(file));
  module.loaded = true;
  if (process.env.SIDECAR_WRITE_CODE_CACHE === '1') {
    process.on('exit', () => writeFileSync(cacheFile, script.createCachedData()));
  }
  return module.exports;
}

module.exports = {currentBundle, loadBundle, plainEntry};
