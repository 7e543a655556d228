// One health check strategy (testcontainers' wait strategies): resolves when the
// service answers, rejects with an Error saying what failed. The prober owns timing.
export interface Probe {
  readonly description: string;
  check(signal: AbortSignal): Promise<void>;
  // A check costing about a syscall (a connect, a look at remembered lines), not a
  // process: the prober may run it every few ms while the service starts.
  readonly cheap?: boolean;
  // Releases anything the probe holds (log subscriptions).
  dispose?(): void;
}

export class ProbeError extends Error {
  override readonly name = 'ProbeError';
}
