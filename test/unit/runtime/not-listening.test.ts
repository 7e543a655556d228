import net from 'node:net';
import {describe, expect, it} from 'vitest';
import {notListening} from '../../../src/runtime/docker/pod-listeners.js';

// Issue 15.2: on Docker's published route (rootless Docker, Docker Desktop) the
// engine's forwarder accepts a TCP connect whether or not the pod listens; the
// pod's own /proc/PID/net/tcp decides. This process stands in for the pod.
describe('notListening (the TCP probe on the published route)', () => {
  it('nobody listening is a reason; a wildcard listener is fine; loopback only is named', async () => {
    const free = net.createServer();
    await new Promise<void>((resolve) => free.listen(0, '0.0.0.0', resolve));
    const port = (free.address() as net.AddressInfo).port;
    expect(await notListening(process.pid, port)).toBeUndefined();
    await new Promise((resolve) => free.close(resolve));
    expect(await notListening(process.pid, port)).toBe(`nothing listens on port ${port} in the pod (the engine's port forwarder accepted the connection)`);
    const loopback = net.createServer();
    await new Promise<void>((resolve) => loopback.listen(port, '127.0.0.1', resolve));
    expect(await notListening(process.pid, port)).toMatch(/listens on 127\.0\.0\.1 only.*listen on 0\.0\.0\.0/);
    await new Promise((resolve) => loopback.close(resolve));
  });

  it('cannot tell (no such process: a remote engine) is not a failure', async () => {
    expect(await notListening(2 ** 22 + 12345, 80)).toBeUndefined();
  });
});
