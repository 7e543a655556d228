// Whether everything a run started is proven gone by its cgroups: each unit ran in
// a group of its own, and each of those groups was removed, which the kernel
// allows only once it is empty. A process leaves its cgroup only by writing
// another group's procs file, so nothing of such a run can be left anywhere, and
// the stop's last reap need not read every process's /proc entries (issue 13.1:
// ~5 ms at the end of every `down`). Anything that ran outside a group (no cgroup
// could be made here, an `exec`), or a group that could not be removed, keeps the
// scan, which finds those by their process group and the run's marker.
export class Containment {
  private whole = true;
  // Units started in a group whose removal has not succeeded yet.
  private readonly open = new Set<object>();
  private readonly pending = new Set<Promise<unknown>>();

  // A unit started: in its own group, or not (`group` false).
  started(unit: object, group: boolean): void {
    if (group) this.open.add(unit);
    else this.whole = false;
  }

  // Something of this run ran outside any group (an `exec`).
  uncontained(): void {
    this.whole = false;
  }

  // The removal of a unit's group: done, it proves the unit gone; failed, nothing is proven.
  removal(unit: object, removing: Promise<boolean> | undefined): Promise<boolean | undefined> {
    if (removing === undefined) return Promise.resolve(undefined);
    const tracked = removing.then(
      (removed) => {
        if (removed) this.open.delete(unit);
        else this.whole = false;
        return removed;
      },
      (error: unknown) => {
        this.whole = false;
        throw error;
      },
    );
    this.pending.add(tracked);
    const forget = (): void => void this.pending.delete(tracked);
    tracked.then(forget, forget);
    return tracked;
  }

  // Once the removals under way are done: whether every unit is proven gone.
  async proven(): Promise<boolean> {
    await Promise.allSettled([...this.pending]);
    return this.whole && this.open.size === 0;
  }
}
