// Issue 13.3: how long this engine takes to start a container that was created
// ahead (the start call, until its process runs), from the last few such starts.
// A restart is begun that much before its backoff ends (Runtime.restartLeadMs),
// so that the new container runs when DESIGN 4's delay is over, as a process
// does under the process runtime; the engine's own restart policy likewise
// counts its delay to the start it begins, not to the container running.
const KEPT = 7;
const MARGIN_MS = 5;

export class StartLead {
  private readonly samples: number[] = [];

  note(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    this.samples.push(ms);
    if (this.samples.length > KEPT) this.samples.shift();
  }

  // A little less than the quickest of the kept starts (0 before any): begun by
  // that much, a restart seldom runs before its delay is over (a start varies by
  // ±10 ms here), and one slow start does not move it.
  ms(): number {
    return this.samples.length === 0 ? 0 : Math.max(0, Math.min(...this.samples) - MARGIN_MS);
  }
}
