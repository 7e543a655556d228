import {existsSync, realpathSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {hostExecutable} from './process/host-executable.js';

// Issue 13.1: under the process runtime the next services' processes are made
// ahead of their turn (started-ahead.ts). A Node program made ahead starts up
// right away (~20 ms of Node's own start-up, while the service before it gets
// ready) and waits in bin/node-ahead.js, preloaded through NODE_OPTIONS, for the
// supervisor's `go` on fd 3; its own code runs only then, once the one before is
// ready, as DESIGN 1 orders. Only the Node that runs the supervisor (one known to
// read NODE_OPTIONS). Any other program waits in the shell that joins its cgroup,
// before it is run at all. `SIDECAR_NODE_AHEAD=0` turns this off.
//
// Not for a Node whose start-up does more than start (it must see, and leave, the
// world as at its turn), or that would refuse the preload: `--inspect` (its
// debugger listens before any preload), `--watch` (the watching process loads no
// preload and runs the program in a child at once), files read at start-up
// (`--env-file`, a start-up snapshot, OpenSSL's configuration, ICU data), files
// written by a start-up that may never run (`--prof`, `--cpu-prof`, `--heap-prof`,
// trace events, a report or diagnostics directory), the permission model and
// policies (a file they do not allow fails the start). Found by an attacker's
// afternoon (test/chaos/node-ahead-*.test.ts).
const UNSAFE_FLAG = /^--(inspect|debug|watch|env-file|snapshot-blob|build-snapshot|openssl-config|openssl-shared-config|icu-data-dir|prof|cpu-prof|heap-prof|trace-event|report|diagnostic-dir|experimental-permission|permission|experimental-policy|policy-integrity)/;
// And variables that name files Node reads (or writes) at start-up: where the
// manifest sets one (not the caller's own environment, e.g. a company CA bundle),
// the file may be the work of a service before this one (a sidecar writing the
// CA it serves with into a volume).
const START_UP_FILES = ['NODE_EXTRA_CA_CERTS', 'OPENSSL_CONF', 'SSL_CERT_FILE', 'SSL_CERT_DIR', 'NODE_ICU_DATA'];
// Coverage of a process that may never run its program is written all the same.
const UNSAFE_VARIABLES = ['NODE_V8_COVERAGE'];

// This module sits two levels under the package root both in dist/runtime/ and in dist/bundle/.
const PRELOAD = fileURLToPath(new URL('../../bin/node-ahead.js', import.meta.url));

export const GO_FD_VAR = 'SIDECAR_GO_FD';
export const NODE_OPTIONS_WAS_VAR = 'SIDECAR_NODE_OPTIONS_WAS';

// The variables that make `command` wait in the preload, for a Node program that
// can; undefined for any other program (it waits in its shell, or is not made ahead).
export function nodeAheadEnv(command: readonly string[], workdir: string, env: Readonly<Record<string, string>>, preload = PRELOAD, own: NodeJS.ProcessEnv = process.env, self = process.execPath): Record<string, string> | undefined {
  if (own.SIDECAR_NODE_AHEAD === '0') return undefined;
  const [file, ...args] = command;
  if (file === undefined || !isNodeProgram(file, workdir, env.PATH, self)) return undefined;
  const options = env.NODE_OPTIONS;
  // NODE_OPTIONS takes quotes anywhere in a word (`--"inspect"=0`): read without them.
  const optionWords = (options ?? '').replace(/["'\\]/g, '').split(/\s+/);
  if (args.some((arg) => UNSAFE_FLAG.test(arg)) || optionWords.some((word) => UNSAFE_FLAG.test(word))) return undefined;
  if (UNSAFE_VARIABLES.some((name) => env[name] !== undefined) || START_UP_FILES.some((name) => env[name] !== undefined && env[name] !== own[name])) return undefined;
  // NODE_OPTIONS is split on spaces and reads quotes and backslashes: a path with none is given as it is.
  if (/[\s"'\\]/.test(preload) || !existsSync(preload)) return undefined;
  return {
    NODE_OPTIONS: options ? `--require=${preload} ${options}` : `--require=${preload}`,
    [GO_FD_VAR]: '3',
    ...(options !== undefined ? {[NODE_OPTIONS_WAS_VAR]: options} : {}),
  };
}

// The Node that runs this supervisor (a Node known to read NODE_OPTIONS), as the
// service's PATH finds it: another program named `node` might not, and would run
// at once, before its turn.
function isNodeProgram(file: string, workdir: string, searchPath: string | undefined, self: string): boolean {
  const found = hostExecutable(file, workdir, searchPath);
  if (found === undefined || !/^node(js)?$/.test(path.basename(found))) return false;
  try {
    return realpathSync(found) === realSelf(self);
  } catch {
    return false;
  }
}

// The supervisor's own Node resolves once (each service made ahead asks again).
const realPaths = new Map<string, string>();
function realSelf(self: string): string {
  let real = realPaths.get(self);
  if (real === undefined) realPaths.set(self, (real = realpathSync(self)));
  return real;
}
