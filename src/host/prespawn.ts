import type {ChildProcess, spawn as Spawn} from 'node:child_process';
import {closeSync, constants, lstatSync, openSync} from 'node:fs';
import {createRequire} from 'node:module';
import path from 'node:path';
import type {Writable} from 'node:stream';
import {fileURLToPath} from 'node:url';
import {supervisorEnv} from './supervisor-env.js';

// Issue 13.1: `up -d` / `up --wait` spend most of their time in two Node start-ups
// one after the other, the CLI's and then the detached supervisor's. bin/run.js
// starts the supervisor first, before the CLI loads: it loads its bundle and
// waits, with no file written and no lock taken, for its arguments on fd 3.
// The CLI then checks everything as before (manifest, lock, leftovers, ports)
// and hands the arguments over (spawn-supervisor.ts), or kills it unused: every
// decision and every message stays the CLI's. Loaded by bin/run.js unbundled, so
// it imports node builtins only.

export const PRESPAWN_KEY = Symbol.for('sidecar.prespawnedSupervisor');
export const ARGS_ON_FD3 = '--args-on-fd3';

export interface Prespawned {
  // The project directory it was started in (its cwd); used only for that project.
  dir: string;
  child: ChildProcess;
  // Set once it exited (code, or null for a signal).
  exited?: number | null;
}

// The words of `up` that start a detached supervisor; anything unusual (help, a
// flag value that looks like a flag) is left to the normal path.
export function prespawnTarget(argv: readonly string[], env: NodeJS.ProcessEnv): string | undefined {
  if (argv[0] !== 'up') return undefined;
  let file = env.SIDECAR_FILE || 'sidecar.yaml';
  let detached = false;
  for (let i = 1; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === '--') break;
    if (word === '-h' || word === '--help') return undefined;
    if (word === '-d' || word === '--detach' || word === '--wait') detached = true;
    else if (word === '-f' || word === '--file') {
      const value = argv[++i];
      if (value === undefined || value.startsWith('-')) return undefined;
      file = value;
    } else if (word.startsWith('--file=')) file = word.slice('--file='.length);
  }
  return detached && file !== '' ? file : undefined;
}

// Starts the supervisor of the project of `manifestFile` when its `.sidecar/` and
// supervisor log already exist (a first `up` creates them the usual way: nothing
// is created here, before the manifest is checked).
export function prespawnSupervisor(manifestFile: string, runtime?: string, entry = fileURLToPath(new URL('../../bin/supervisor.js', import.meta.url))): Prespawned | undefined {
  const dir = path.dirname(path.resolve(manifestFile));
  let out: number;
  try {
    const root = lstatSync(path.join(dir, '.sidecar'));
    if (!root.isDirectory()) return undefined;
    out = openSync(path.join(dir, '.sidecar', 'supervisor.log'), constants.O_WRONLY | constants.O_APPEND | constants.O_NOFOLLOW);
  } catch {
    return undefined;
  }
  let child: ChildProcess;
  try {
    // Loaded here: every other command runs this module's bundle too, and `down` spawns nothing (~1 ms).
    const {spawn} = createRequire(import.meta.url)('node:child_process') as {spawn: typeof Spawn};
    child = spawn(process.execPath, [entry, ARGS_ON_FD3, ...(runtime === 'process' || runtime === 'docker' ? [`--runtime=${runtime}`] : [])], {detached: true, stdio: ['ignore', out, out, 'pipe'], cwd: dir, env: supervisorEnv(process.env)});
  } catch {
    return undefined;
  } finally {
    closeSync(out);
  }
  const prespawned: Prespawned = {dir, child};
  child.once('exit', (code) => (prespawned.exited = code));
  child.once('error', () => (prespawned.exited ??= null));
  child.unref();
  const pipe = child.stdio[3] as (Writable & {unref?: () => void}) | null;
  pipe?.on('error', () => undefined);
  pipe?.unref?.();
  // Not handed over by the time this CLI exits: it did nothing yet, end it.
  process.once('exit', () => {
    if ((globalThis as Record<symbol, unknown>)[PRESPAWN_KEY] === prespawned && prespawned.exited === undefined) child.kill('SIGKILL');
  });
  (globalThis as Record<symbol, unknown>)[PRESPAWN_KEY] = prespawned;
  return prespawned;
}

// spawn-supervisor.ts: the supervisor started for this project, taken once.
export function takePrespawned(dir: string): Prespawned | undefined {
  const store = globalThis as Record<symbol, unknown>;
  const prespawned = store[PRESPAWN_KEY] as Prespawned | undefined;
  if (!prespawned || prespawned.dir !== dir || prespawned.exited !== undefined || prespawned.child.stdio[3] == null) return undefined;
  delete store[PRESPAWN_KEY];
  return prespawned;
}

// Sends the arguments; the supervisor reads them to the end of the pipe.
export function handOver(prespawned: Prespawned, args: unknown): void {
  const pipe = prespawned.child.stdio[3] as Writable;
  pipe.end(JSON.stringify(args));
}
