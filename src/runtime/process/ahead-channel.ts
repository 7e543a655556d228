import type {ChildProcess} from 'node:child_process';
import type {Duplex} from 'node:stream';

// The socket on fd 3 of a process made ahead of its start (started-ahead.ts).
// From the process, the line `joined` once its shell is in its cgroup
// (cgroup/unit-limits.ts); to it, the line `go`: the program runs (a Node
// program made ahead has started up meanwhile and runs its code, node-ahead.ts).
// The socket's end with no `go` ends it, having run nothing.
export class AheadChannel {
  // Settles on `joined`, on the process's end, or after a deadline.
  readonly joined: Promise<void>;
  private readonly pipe: Duplex | undefined;

  constructor(child: ChildProcess, joinMs = JOIN_DEADLINE_MS) {
    this.pipe = (child.stdio[3] as Duplex | null | undefined) ?? undefined;
    // Go said to one that died meanwhile (EPIPE): its end is handled as the unit's.
    this.pipe?.on('error', () => undefined);
    this.joined = new Promise<void>((resolve) => {
      let heard = '';
      const done = (): void => {
        clearTimeout(timer);
        this.pipe?.off('data', onData);
        child.off('exit', done);
        resolve();
      };
      const onData = (chunk: Buffer): void => {
        // One short line: the tail is enough, and bounded.
        heard = (heard + chunk.toString('latin1')).slice(-16);
        if (heard.includes('joined\n')) done();
      };
      const timer = setTimeout(done, joinMs);
      timer.unref();
      this.pipe?.on('data', onData);
      child.once('exit', done);
      // A spawn that failed ends with 'error' alone.
      child.once('error', () => {
        if (child.pid === undefined) done();
      });
    });
  }

  // The program runs now.
  go(): void {
    this.pipe?.end('go\n');
  }
}

// A join waits for the kernel 10-25 ms here; past this, what waits on it goes on
// without it (the process itself still waits for `go`).
const JOIN_DEADLINE_MS = 1000;
