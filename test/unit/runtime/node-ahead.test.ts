import {mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {GO_FD_VAR, NODE_OPTIONS_WAS_VAR, nodeAheadEnv} from '../../../src/runtime/node-ahead.js';

// Issue 13.1: which programs made ahead wait for `go` in the Node preload
// (bin/node-ahead.js) and with what environment. Only the Node that runs the
// supervisor, as the service's PATH finds it, is known to read NODE_OPTIONS; a
// debugger or a watcher starts things before any preload; the preload path goes
// into NODE_OPTIONS unquoted. Everything else is undefined: it waits in its shell.
// The preload and `own` are given, so nothing here reads this machine's environment.
let base = '';
let preload = '';
let ours = ''; // node and nodejs -> this Node
let shNode = ''; // node -> /bin/sh
let wrapperNode = ''; // node: a script that runs this Node, but is not it
let renamed = ''; // mynode -> this Node
let workdir = ''; // ./node -> this Node, and bin/node under it
const own = {};

beforeAll(() => {
  base = mkdtempSync(path.join(os.tmpdir(), 'sidecar-node-ahead-'));
  const dir = (...parts: string[]): string => {
    const made = path.join(base, ...parts);
    mkdirSync(made, {recursive: true});
    return made;
  };
  preload = path.join(dir('package', 'bin'), 'node-ahead.js');
  writeFileSync(preload, '// the preload\n');
  ours = dir('ours');
  symlinkSync(process.execPath, path.join(ours, 'node'));
  symlinkSync(process.execPath, path.join(ours, 'nodejs'));
  shNode = dir('sh');
  symlinkSync('/bin/sh', path.join(shNode, 'node'));
  wrapperNode = dir('wrapper');
  writeFileSync(path.join(wrapperNode, 'node'), `#!/bin/sh\nexec '${process.execPath}' "$@"\n`, {mode: 0o755});
  renamed = dir('renamed');
  symlinkSync(process.execPath, path.join(renamed, 'mynode'));
  workdir = dir('work');
  symlinkSync(process.execPath, path.join(workdir, 'node'));
  symlinkSync(process.execPath, path.join(dir('work', 'bin'), 'node'));
});

afterAll(() => {
  if (base) rmSync(base, {recursive: true, force: true});
});

const searching = (...dirs: string[]): Record<string, string> => ({PATH: dirs.join(path.delimiter)});
const preloadOnly = (): Record<string, string> => ({NODE_OPTIONS: `--require=${preload}`, [GO_FD_VAR]: '3'});

describe('nodeAheadEnv: the Node programs that wait for go in the preload', () => {
  it('node on PATH, this Node: NODE_OPTIONS is just the preload, SIDECAR_GO_FD is 3, and no NODE_OPTIONS_WAS', () => {
    const env = nodeAheadEnv(['node', 'server.js', '--port=3000'], workdir, searching(ours), preload, own);
    expect(env).toEqual(preloadOnly());
    expect(env && NODE_OPTIONS_WAS_VAR in env).toBe(false);
    expect(GO_FD_VAR).toBe('SIDECAR_GO_FD');
    expect(NODE_OPTIONS_WAS_VAR).toBe('SIDECAR_NODE_OPTIONS_WAS');
  });

  it('the user\'s NODE_OPTIONS follows the preload, and is kept to be given back as it was', () => {
    const env = nodeAheadEnv(['node', 'server.js'], workdir, {...searching(ours), NODE_OPTIONS: '--max-old-space-size=64'}, preload, own);
    expect(env).toEqual({NODE_OPTIONS: `--require=${preload} --max-old-space-size=64`, SIDECAR_GO_FD: '3', SIDECAR_NODE_OPTIONS_WAS: '--max-old-space-size=64'});
  });

  it('an empty NODE_OPTIONS is given back empty, not unset', () => {
    const env = nodeAheadEnv(['node', 'server.js'], workdir, {...searching(ours), NODE_OPTIONS: ''}, preload, own);
    expect(env).toEqual({...preloadOnly(), SIDECAR_NODE_OPTIONS_WAS: ''});
  });

  it('nodejs on PATH, the absolute path of this Node, ./node and bin/node from the workdir', () => {
    expect(nodeAheadEnv(['nodejs', 'server.js'], workdir, searching(ours), preload, own)).toEqual(preloadOnly());
    expect(nodeAheadEnv([process.execPath, 'server.js'], workdir, searching(shNode), preload, own)).toEqual(preloadOnly());
    // Relative to the workdir, whatever PATH says.
    expect(nodeAheadEnv(['./node', 'server.js'], workdir, searching(shNode), preload, own)).toEqual(preloadOnly());
    expect(nodeAheadEnv(['bin/node', 'server.js'], workdir, searching(shNode), preload, own)).toEqual(preloadOnly());
    expect(nodeAheadEnv(['./node', 'server.js'], shNode, searching(ours), preload, own)).toBeUndefined();
  });

  it('a relative PATH entry is found from the workdir', () => {
    expect(nodeAheadEnv(['node', 'server.js'], workdir, searching('bin'), preload, own)).toEqual(preloadOnly());
    expect(nodeAheadEnv(['node', 'server.js'], shNode, searching('bin'), preload, own)).toBeUndefined();
  });

  it('the first node on PATH is the one that counts', () => {
    expect(nodeAheadEnv(['node', 'server.js'], workdir, searching(ours, shNode), preload, own)).toEqual(preloadOnly());
    expect(nodeAheadEnv(['node', 'server.js'], workdir, searching(shNode, ours), preload, own)).toBeUndefined();
    expect(nodeAheadEnv(['node', 'server.js'], workdir, searching(wrapperNode, ours), preload, own)).toBeUndefined();
  });
});

describe('nodeAheadEnv: undefined for a program that cannot wait in the preload', () => {
  it('a program that is not node: /bin/sh, or nothing found', () => {
    expect(nodeAheadEnv(['/bin/sh', '-c', 'node server.js'], workdir, searching(ours), preload, own)).toBeUndefined();
    expect(nodeAheadEnv(['sh', '-c', 'node server.js'], workdir, searching('/bin', ours), preload, own)).toBeUndefined();
    expect(nodeAheadEnv(['node', 'server.js'], workdir, searching(path.join(base, 'nowhere')), preload, own)).toBeUndefined();
    expect(nodeAheadEnv([], workdir, searching(ours), preload, own)).toBeUndefined();
  });

  it('a program named node that is not this Node: a link to /bin/sh, a wrapper script', () => {
    expect(nodeAheadEnv(['node', 'server.js'], workdir, searching(shNode), preload, own)).toBeUndefined();
    expect(nodeAheadEnv(['node', 'server.js'], workdir, searching(wrapperNode), preload, own)).toBeUndefined();
    expect(nodeAheadEnv([path.join(shNode, 'node'), 'server.js'], workdir, searching(ours), preload, own)).toBeUndefined();
  });

  it('this Node under another name', () => {
    expect(nodeAheadEnv(['mynode', 'server.js'], workdir, searching(renamed), preload, own)).toBeUndefined();
    expect(nodeAheadEnv([path.join(renamed, 'mynode'), 'server.js'], workdir, searching(ours), preload, own)).toBeUndefined();
  });

  it('compares with `self`, the Node given', () => {
    expect(nodeAheadEnv(['node', 'server.js'], workdir, searching(ours), preload, own, process.execPath)).toEqual(preloadOnly());
    expect(nodeAheadEnv(['node', 'server.js'], workdir, searching(ours), preload, own, '/bin/sh')).toBeUndefined();
    expect(nodeAheadEnv(['node', 'server.js'], workdir, searching(shNode), preload, own, '/bin/sh')).toEqual(preloadOnly());
  });

  it.each([
    ['--inspect'], ['--inspect-brk=0'], ['--inspect=127.0.0.1:9229'], ['--watch'], ['--watch-path=src'], ['--debug'], ['--debug-brk'],
    ['--experimental-permission'], ['--permission'], ['--experimental-policy=policy.json'], ['--policy-integrity=sha384-x'],
    // Files read or written at start-up (test/chaos/node-ahead-*.test.ts).
    ['--env-file=app.env'], ['--snapshot-blob=app.blob'], ['--build-snapshot'], ['--openssl-config=ssl.cnf'], ['--icu-data-dir=icu'],
    ['--prof'], ['--cpu-prof'], ['--heap-prof'], ['--trace-event-categories=v8'], ['--report-on-signal'], ['--diagnostic-dir=out'],
  ])('%s among the arguments', (flag) => {
    expect(nodeAheadEnv(['node', flag, 'server.js'], workdir, searching(ours), preload, own)).toBeUndefined();
    expect(nodeAheadEnv(['node', 'server.js'], workdir, searching(ours), preload, own)).toEqual(preloadOnly());
  });

  it.each([['--inspect'], ['"--inspect"'], ["'--inspect-brk'"], ['--max-old-space-size=64 --inspect=9229'], ['--max-old-space-size=64  --watch'], ['--experimental-permission --allow-fs-read=/srv'], ['--"inspect"=0'], ['--env-file=.env']])('%s in NODE_OPTIONS', (options) => {
    expect(nodeAheadEnv(['node', 'server.js'], workdir, {...searching(ours), NODE_OPTIONS: options}, preload, own)).toBeUndefined();
  });

  it.each([['NODE_EXTRA_CA_CERTS'], ['OPENSSL_CONF'], ['SSL_CERT_FILE'], ['SSL_CERT_DIR'], ['NODE_ICU_DATA']])('%s set by the manifest (a file a service before it may write); as the caller has it, no matter', (name) => {
    expect(nodeAheadEnv(['node', 'server.js'], workdir, {...searching(ours), [name]: '/project/.sidecar/volumes/certs/ca.pem'}, preload, own)).toBeUndefined();
    expect(nodeAheadEnv(['node', 'server.js'], workdir, {...searching(ours), [name]: '/project/.sidecar/volumes/certs/ca.pem'}, preload, {[name]: '/etc/ssl/company.pem'})).toBeUndefined();
    expect(nodeAheadEnv(['node', 'server.js'], workdir, {...searching(ours), [name]: '/etc/ssl/company.pem'}, preload, {[name]: '/etc/ssl/company.pem'})).toEqual(preloadOnly());
  });

  it('NODE_V8_COVERAGE: a process that may never run its program would write coverage all the same', () => {
    expect(nodeAheadEnv(['node', 'server.js'], workdir, {...searching(ours), NODE_V8_COVERAGE: '/tmp/coverage'}, preload, {NODE_V8_COVERAGE: '/tmp/coverage'})).toBeUndefined();
  });

  it('an empty PATH entry is the workdir, as for the shell that runs it: a `node` there is looked at first', () => {
    // ./node in the workdir links to this Node: found through the empty entry, and it is this Node.
    expect(nodeAheadEnv(['node', 'server.js'], workdir, {PATH: `:${shNode}`}, preload, own)).toEqual(preloadOnly());
    // Found through the empty entry before this Node's directory: a `node` that is not this Node.
    const elsewhere = mkdtempSync(path.join(base, 'wd-'));
    symlinkSync('/bin/sh', path.join(elsewhere, 'node'));
    expect(nodeAheadEnv(['node', 'server.js'], elsewhere, {PATH: `:${ours}`}, preload, own)).toBeUndefined();
  });

  it('an argument that only mentions a flag is no flag', () => {
    expect(nodeAheadEnv(['node', '-e', 'process.argv.includes("--inspect")'], workdir, {...searching(ours), NODE_OPTIONS: '--title=no-inspect'}, preload, own)).toEqual({
      NODE_OPTIONS: `--require=${preload} --title=no-inspect`,
      SIDECAR_GO_FD: '3',
      SIDECAR_NODE_OPTIONS_WAS: '--title=no-inspect',
    });
  });

  it('SIDECAR_NODE_AHEAD=0 in the supervisor\'s own environment; any other value leaves it on', () => {
    expect(nodeAheadEnv(['node', 'server.js'], workdir, searching(ours), preload, {SIDECAR_NODE_AHEAD: '0'})).toBeUndefined();
    expect(nodeAheadEnv(['node', 'server.js'], workdir, searching(ours), preload, {SIDECAR_NODE_AHEAD: '1'})).toEqual(preloadOnly());
  });

  it.each([['a space', 'with space'], ['a tab', 'with\ttab'], ['a double quote', 'with"quote'], ['a single quote', "it's"], ['a backslash', 'back\\slash']])('a preload path with %s, though the file is there', (_, name) => {
    const unsafe = path.join(base, name, 'node-ahead.js');
    mkdirSync(path.dirname(unsafe), {recursive: true});
    writeFileSync(unsafe, '// the preload\n');
    expect(nodeAheadEnv(['node', 'server.js'], workdir, searching(ours), unsafe, own)).toBeUndefined();
  });

  it('a preload path where no file is', () => {
    expect(nodeAheadEnv(['node', 'server.js'], workdir, searching(ours), path.join(base, 'package', 'bin', 'missing.cjs'), own)).toBeUndefined();
  });
});
