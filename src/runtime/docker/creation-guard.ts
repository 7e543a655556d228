import type Docker from 'dockerode';
import {SidecarError} from '../../errors/index.js';

// Every container, network and volume the runtime asks the engine for goes through here, so that a
// teardown that comes while the stack is still starting (`up -d` then `down` at
// once, Ctrl-C of `up --wait` right after the supervisor answered) is not beaten
// by a creation answered after it listed the project's containers: found by a
// review, 1 run in 4 left the app and a sidecar behind, Created. Once closed,
// nothing more is created; close() resolves once what was already asked is answered.
export class CreationGuard {
  private closed = false;
  private readonly inFlight = new Set<Promise<void>>();

  get isClosed(): boolean {
    return this.closed;
  }

  // A new start (prepare) may create again.
  open(): void {
    this.closed = false;
  }

  create(docker: Docker, spec: Docker.ContainerCreateOptions): Promise<Docker.Container> {
    return this.ask(() => docker.createContainer(spec));
  }

  // Any other creation of the project's (its network, its volumes): the same rule.
  ask<T>(creation: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new SidecarError('SIDECAR_STACK_FAILED', 'the stack is being stopped: nothing is created any more', {service: null}));
    const asked = creation();
    const settled = asked.then(
      () => undefined,
      () => undefined,
    );
    this.inFlight.add(settled);
    void settled.then(() => this.inFlight.delete(settled));
    return asked;
  }

  // No creation from now on; resolves when those asked before are answered, or after deadlineMs.
  async close(deadlineMs: number): Promise<void> {
    this.closed = true;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, deadlineMs)));
    const answered = (async () => {
      while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
    })();
    await Promise.race([answered, late]);
    clearTimeout(timer);
  }
}
