import {spawn, type ChildProcess} from 'node:child_process';

// How a unit's process ended: its exit, or why it could not be spawned at all.
export interface ChildEnd {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  // The spawn's own failure (ENOENT: no such command or workdir; EACCES...).
  error?: NodeJS.ErrnoException;
}

export interface UnitChild {
  child: ChildProcess;
  // Settles (never rejects) once the process exited or failed to spawn.
  ended: Promise<ChildEnd>;
}

// A service's process, spawned by node:child_process rather than execa (issue
// 13.1): execa's module graph took the detached supervisor 12-18 ms to load,
// even from its bundle with a V8 code cache, on the path to the first service's
// start, for a plain spawn with pipes. Own session and process group (`detached`):
// signals reach every child, and a terminal's Ctrl-C does not. Bytes on stdout and
// stderr, no buffering; the environment exactly as given. Stdin is /dev/null. One
// made ahead (`goPipe`) also gets fd 3, a socket to wait on (ahead-channel.ts).
export function spawnChild(file: string, args: string[], options: {cwd: string; env: NodeJS.ProcessEnv; goPipe?: boolean}): UnitChild {
  const child = spawn(file, args, {cwd: options.cwd, env: options.env, detached: true, stdio: options.goPipe ? ['ignore', 'pipe', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe']});
  const ended = new Promise<ChildEnd>((resolve) => {
    // A spawn failure comes as 'error' with no 'exit'; a failed kill() of a live one
    // comes as 'error' too, and changes nothing: its exit still settles this.
    child.once('exit', (exitCode, signal) => resolve({exitCode, signal}));
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (child.pid === undefined) resolve({exitCode: null, signal: null, error});
    });
  });
  // No pipe error may end the supervisor as an unhandled 'error': a read error on a
  // pipe nobody reads yet (one made ahead; the runtime adds its own once it reads).
  // fd 3's are the channel's (go said to one that died meanwhile: EPIPE).
  for (const pipe of [child.stdout, child.stderr]) pipe?.on('error', () => undefined);
  return {child, ended};
}
