// Issue 13.5: a container started ahead behind its start gate joins its pod's
// network namespace, so it may start only once the pod's infra runs. Keyed by
// the infra's id: true once it runs, false when it will not (its start failed,
// it was replaced, the stack is torn down), or after a minute at most.
const INFRA_WAIT_MS = 60_000;

export class InfraReadiness {
  private readonly waiters = new Map<string, Array<(running: boolean) => void>>();

  // `running`: the ids of the infras known to run now.
  runs(id: string, running: Iterable<string>): Promise<boolean> {
    for (const known of running) if (known === id) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), INFRA_WAIT_MS).unref();
      const waiters = this.waiters.get(id) ?? [];
      waiters.push((runs) => {
        clearTimeout(timer);
        resolve(runs);
      });
      this.waiters.set(id, waiters);
    });
  }

  settled(id: string, running: boolean): void {
    for (const waiter of this.waiters.get(id) ?? []) waiter(running);
    this.waiters.delete(id);
  }

  // The teardown: nothing waited for starts.
  none(): void {
    for (const id of [...this.waiters.keys()]) this.settled(id, false);
  }
}
