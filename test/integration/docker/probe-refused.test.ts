import {afterEach, expect, it} from 'vitest';
import type {Health} from '../../../src/manifest/types.js';
import {DockerRuntime} from '../../../src/runtime/docker/index.js';
import {Supervisor} from '../../../src/supervisor/supervisor.js';
import type {LifecycleEvent} from '../../../src/supervisor/types.js';
import {manifest, service} from '../../helpers/manifest-builder.js';
import {describeDocker, tempProject, TEST_IMAGES} from './docker-engine.js';

// Issue 8.4: a server bound to 127.0.0.1 in a container never gets ready, since
// probes reach the pod's address (as Kubernetes probes do). Say so, with the fix.
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const health = (check: Health['check']): Health => ({check, intervalMs: 1000, timeoutMs: 1000, retries: 3, startPeriodMs: 0, startTimeoutMs: 6000});

async function startFailure(check: Health['check'], listen: string): Promise<{message: string; events: LifecycleEvent[]}> {
  const m = manifest({...tempProject('scr'), app: service('app', 'app', {image: TEST_IMAGES.busybox, command: ['sh', '-c', `mkdir -p /www && exec httpd -f -p ${listen} -h /www`], health: health(check), stopTimeoutMs: 1000})});
  const runtime = new DockerRuntime();
  cleanups.push(() => runtime.teardown(m, {removeVolumes: true}));
  const supervisor = new Supervisor({manifest: m, runtime});
  const events: LifecycleEvent[] = [];
  supervisor.on('event', (event) => events.push(event));
  const message = await supervisor.start().then(
    () => 'ready',
    (error: Error) => error.message,
  );
  await supervisor.stop({timeoutMs: 1000});
  return {message, events};
}

describeDocker('a probe refused at the pod address while the service runs', () => {
  it('http: the start failure says the service listens on loopback only and to listen on 0.0.0.0', async () => {
    const {message} = await startFailure({kind: 'http', port: 8080, path: '/', scheme: 'http', headers: {}}, '127.0.0.1:8080');
    expect(message).toMatch(/app listens on 127\.0\.0\.1:8080 only/);
    expect(message).toMatch(/listen on 0\.0\.0\.0/);
  });

  it('tcp: the same, and a service listening on every address gets ready', async () => {
    const {message} = await startFailure({kind: 'tcp', port: 8080}, '127.0.0.1:8080');
    expect(message).toMatch(/app listens on 127\.0\.0\.1:8080 only.*listen on 0\.0\.0\.0/);
    expect((await startFailure({kind: 'tcp', port: 8080}, '0.0.0.0:8080')).message).toBe('ready');
  });
});
