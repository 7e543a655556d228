import net from 'node:net';
import path from 'node:path';
import Docker from 'dockerode';
import {afterAll, beforeAll, expect, it} from 'vitest';
import {cli, ensureBuilt, eventually, project, readJson, type Project} from '../cli/cli-harness.js';
import {describeDocker, TEST_IMAGES} from './docker-engine.js';

// Issue 10 point 4 through the CLI and the real supervisor: two pods both on
// 8080, pod a's sidecar ready only once it reaches pod b by name (a health exec
// with ${pods.b.host}); `restart b` keeps b's DNS name; `down` after the
// supervisor was SIGKILLed removes every pod's containers and the network.
const docker = new Docker();
let p: Project;
const name = `podsd-${Date.now().toString(36)}`;
const web = (text: string): string => `    app:
      image: ${TEST_IMAGES.busybox}
      command: [sh, -c, "mkdir -p /www && echo ${text} > /www/i && exec httpd -f -p 8080 -h /www"]
      health: {tcp: {port: 8080}, interval: 500ms}
      stopTimeout: 1s
`;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const ours = {label: [`sidecar.project=${name}`]};

describeDocker('pods through the CLI on Docker', () => {
  beforeAll(() => {
    ensureBuilt();
    p = project(`version: 1
name: ${name}
pods:
  b:
${web('from-b')}  a:
${web('from-a')}    sidecars:
      client:
        image: ${TEST_IMAGES.busybox}
        command: [sleep, "300"]
        health: {exec: [wget, -qO-, "http://\${pods.b.host}:8080/i"], interval: 500ms}
        stopTimeout: 1s
`);
    p.env = {...p.env, SIDECAR_INFRA_IMAGE: process.env.SIDECAR_INFRA_IMAGE ?? TEST_IMAGES.pause};
  }, 120_000);
  afterAll(async () => {
    if (p) await cli(p, ['down', '--volumes', '--timeout', '1s']);
  });

  it('runs both pods on 8080, keeps b reachable by name across `restart b`, and `down` after SIGKILL removes containers and network', async () => {
    const up = await cli(p, ['up', '--wait', '--runtime', 'docker']);
    expect(up.exitCode, up.all).toBe(0);
    const viaName = async (): Promise<string> => {
      const r = await cli(p, ['exec', 'a/client', '--', 'wget', '-qO-', 'http://b:8080/i']);
      expect(r.exitCode, r.all).toBe(0);
      return r.stdout.trim();
    };
    expect(await viaName()).toBe('from-b');
    expect((await cli(p, ['exec', 'a/client', '--', 'wget', '-qO-', 'http://127.0.0.1:8080/i'])).stdout.trim()).toBe('from-a');
    const network = (await docker.listNetworks({filters: ours})).map((n) => n.Id);
    expect(network).toHaveLength(1);

    const containerOf = async (id: string): Promise<string> => {
      const ps = await cli(p, ['ps', '--json']);
      return (JSON.parse(ps.stdout) as {services: Array<{name: string; containerId: string}>}).services.find((s) => s.name === id)!.containerId;
    };
    const before = await containerOf('b/app');
    const restart = await cli(p, ['restart', 'b']);
    expect(restart.exitCode, restart.all).toBe(0);
    expect(await containerOf('b/app')).not.toBe(before);
    await eventually(async () => (await cli(p, ['exec', 'a/client', '--', 'wget', '-qO-', 'http://b:8080/i'])).exitCode === 0, 30_000, 'a reaches the restarted b by name');
    expect(await viaName()).toBe('from-b');
    expect((await docker.listNetworks({filters: ours})).map((n) => n.Id)).toEqual(network);

    const {pid} = readJson<{pid: number}>(path.join(p.dir, '.sidecar/supervisor.json'));
    process.kill(pid, 'SIGKILL');
    await eventually(() => !alive(pid), 10_000, 'supervisor gone');
    expect((await docker.listContainers({filters: ours})).length).toBe(5);
    const down = await cli(p, ['down', '--timeout', '1s']);
    expect(down.exitCode, down.all).toBe(0);
    expect(down.stdout).toContain('stopped 5 leftover containers (3 services and 2 pods)');
    expect(await docker.listContainers({all: true, filters: ours})).toEqual([]);
    expect(await docker.listNetworks({filters: ours})).toEqual([]);
  }, 180_000);

  it('a host port taken in pod b fails `up` naming b/app (exit 5); `down` then leaves no container and no network', async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const held = (holder.address() as net.AddressInfo).port;
    const failing = `podsf-${Date.now().toString(36)}`;
    const q = project(`version: 1
name: ${failing}
pods:
  a:
${web('from-a')}  b:
${web('from-b')}      ports: ["127.0.0.1:${held}:8080"]
`);
    q.env = {...q.env, SIDECAR_INFRA_IMAGE: process.env.SIDECAR_INFRA_IMAGE ?? TEST_IMAGES.pause};
    try {
      const up = await cli(q, ['up', '--wait', '--runtime', 'docker']);
      expect(up.exitCode, up.all).toBe(5);
      expect(up.stderr).toMatch(new RegExp(`"b/app" publishes host port ${held}`));
    } finally {
      holder.close();
      const down = await cli(q, ['down', '--timeout', '1s']);
      expect(down.exitCode, down.all).toBe(0);
    }
    const theirs = {label: [`sidecar.project=${failing}`]};
    expect(await docker.listContainers({all: true, filters: theirs})).toEqual([]);
    expect(await docker.listNetworks({filters: theirs})).toEqual([]);
  }, 120_000);
});
