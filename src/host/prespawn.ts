import type {ChildProcess, spawn as Spawn} from 'node:child_process';
import {closeSync, constants, lstatSync, openSync} from 'node:fs';
import {createRequire} from 'node:module';
import path from 'node:path';
import type {Writable} from 'node:stream';
import {fileURLToPath} from 'node:url';
import {supervisorEnv} from './supervisor-env.js';
import {takeShellPrespawn} from './shell-prespawn.js';

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

// A supervisor started ahead of the CLI's checks: by this module, or by the
// shell before Node (bin/up.sh, shell-prespawn.ts). Either way the CLI's child.
export interface Prespawned {
  // The project directory it was started in (its cwd); used only for that project.
  dir: string;
  pid: number;
  // Its exit code once it ended (null: by a signal, or not known); undefined while it runs.
  exited(): number | null | undefined;
  // Sends the arguments; false when they cannot reach it.
  send(text: string): boolean | Promise<boolean>;
  // Ends it, while it has not ended (our own child, never reaped: its pid is still its
  // own): SIGKILL, or for one bin/up.sh started SIGURG until it has ended (shell-prespawn.ts).
  kill(): void;
  // Tells it it is not needed, where it can be told (one bin/up.sh started: it then
  // ends once its cgroup warm-up has); else kill().
  end?(): void;
  // Whether the wait for the first service's cgroup move was already begun for it (warm-moves.ts).
  warmed?: boolean;
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
  // Started before Node by the shell (bin/up.sh): ~15 ms sooner.
  const shell = takeShellPrespawn(dir);
  if (shell) {
    // Told `--runtime=process`, it began the wait for its first cgroup move itself (warm-moves.ts).
    shell.warmed = runtime === 'process';
    return register(shell);
  }
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
  const prespawned = fromChild(dir, child);
  child.unref();
  const pipe = child.stdio[3] as (Writable & {unref?: () => void}) | null;
  pipe?.on('error', () => undefined);
  pipe?.unref?.();
  return register(prespawned);
}

// A supervisor started by spawn() with a pipe on its fd 3.
export function fromChild(dir: string, child: ChildProcess): Prespawned {
  let code: number | null | undefined;
  child.once('exit', (exitCode) => (code = exitCode));
  child.once('error', () => (code ??= null));
  return {
    dir,
    pid: child.pid ?? -1,
    exited: () => code,
    send: (text) => {
      const pipe = child.stdio[3] as Writable | null;
      if (!pipe) return false;
      pipe.end(text);
      return true;
    },
    kill: () => {
      // Not one whose spawn failed (no pid): Node would signal pid 0, our own group.
      if (code === undefined && child.pid !== undefined) child.kill('SIGKILL');
    },
  };
}

// The one taken by the CLI; not handed over by the time the CLI exits, it did nothing yet: ended.
export function register(prespawned: Prespawned): Prespawned {
  process.once('exit', () => {
    if ((globalThis as Record<symbol, unknown>)[PRESPAWN_KEY] === prespawned) (prespawned.end ?? prespawned.kill)();
  });
  (globalThis as Record<symbol, unknown>)[PRESPAWN_KEY] = prespawned;
  return prespawned;
}

// spawn-supervisor.ts: the supervisor started for this project, taken once.
export function takePrespawned(dir: string): Prespawned | undefined {
  const store = globalThis as Record<symbol, unknown>;
  const prespawned = store[PRESPAWN_KEY] as Prespawned | undefined;
  if (!prespawned || prespawned.dir !== dir || prespawned.exited() !== undefined) return undefined;
  delete store[PRESPAWN_KEY];
  return prespawned;
}

// Sends the arguments; false when they cannot reach it (then it is ended).
export async function handOver(prespawned: Prespawned, args: unknown): Promise<boolean> {
  if (await prespawned.send(JSON.stringify(args))) return true;
  prespawned.kill();
  return false;
}
