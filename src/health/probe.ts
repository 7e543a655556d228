// One health check strategy (testcontainers' wait strategies): resolves when the
// service answers, rejects with an Error saying what failed. The prober owns timing.
export interface Probe {
  readonly description: string;
  check(cancel: CheckCancel): Promise<void>;
  // A check costing about a syscall (a connect, a look at remembered lines), not a
  // process: the prober may run it every few ms while the service starts.
  readonly cheap?: boolean;
  // Releases anything the probe holds (log subscriptions, a socket kept for the next check).
  dispose?(): void;
}

export class ProbeError extends Error {
  override readonly name = 'ProbeError';
}

// How the prober stops a check that timed out: the part of an AbortSignal a probe
// uses (is it aborted; one thing to run when it is). Issue 13.4: an AbortController
// and its EventTarget listener per check were ~5% of an idle supervisor's CPU profile.
export class CheckCancel {
  private onAbort_?: () => void;
  private aborted_ = false;

  get aborted(): boolean {
    return this.aborted_;
  }

  // Runs fn when the check is cancelled (at once if it already is); one at a time.
  onAbort(fn: (() => void) | undefined): void {
    this.onAbort_ = fn;
    if (fn && this.aborted_) this.abort();
  }

  abort(): void {
    this.aborted_ = true;
    const fn = this.onAbort_;
    this.onAbort_ = undefined;
    fn?.();
  }

  // An AbortSignal that follows this cancel, for an API that takes one (Node's http client).
  toSignal(): AbortSignal {
    const controller = new AbortController();
    this.onAbort(() => controller.abort());
    return controller.signal;
  }
}
