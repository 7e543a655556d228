import {mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, expect, it} from 'vitest';
import {cli, ensureBuilt, eventually, freePort, project, type Project} from '../cli/cli-harness.js';
import {describeDocker, TEST_IMAGES} from './docker-engine.js';

// Issue 11.4 under Docker: a `restart` rule restarts the app's container (bind-mounted
// source read again), its sidecar keeps its container; sync without target is exit 3.
const name = `watchd-${Date.now().toString(36)}`;
let p: Project;
let port: number;

const SERVER = `const fs = require('node:fs');
const message = fs.readFileSync('/app/src/message.txt', 'utf8').trim();
process.on('SIGTERM', () => process.exit(0));
require('node:http').createServer((req, res) => res.end(message)).listen(8080, '0.0.0.0');
`;

describeDocker('up --watch on Docker', () => {
  beforeAll(async () => {
    ensureBuilt();
    port = await freePort();
    p = project(`version: 1
name: ${name}
app:
  image: ${TEST_IMAGES.node}
  command: [node, /app/src/server.cjs]
  volumes: ["./src:/app/src:ro"]
  ports: ["127.0.0.1:${port}:8080"]
  health: {tcp: {port: 8080}, interval: 200ms}
  stopTimeout: 1s
  watch:
    - {path: ./src, action: restart}
sidecars:
  keeper:
    image: ${TEST_IMAGES.busybox}
    command: [sleep, "300"]
    stopTimeout: 1s
`);
    p.env = {...p.env, SIDECAR_INFRA_IMAGE: process.env.SIDECAR_INFRA_IMAGE ?? TEST_IMAGES.pause};
    mkdirSync(path.join(p.dir, 'src'));
    writeFileSync(path.join(p.dir, 'src/server.cjs'), SERVER);
    writeFileSync(path.join(p.dir, 'src/message.txt'), 'd1\n');
  }, 120_000);
  afterAll(async () => {
    if (p) await cli(p, ['down', '--timeout', '1s']);
  });

  it('a save restarts the app container only, and the new code answers', async () => {
    const up = await cli(p, ['up', '--wait', '--watch', '--runtime', 'docker']);
    expect(up.exitCode, up.all).toBe(0);
    const answer = async () => fetch(`http://127.0.0.1:${port}/`).then((r) => r.text()).catch(() => undefined);
    expect(await answer()).toBe('d1');
    const ps = async () => Object.fromEntries((JSON.parse((await cli(p, ['ps', '--json'])).stdout) as {services: {name: string; containerId: string; restarts: number}[]}).services.map((s) => [s.name, s]));
    const before = await ps();
    writeFileSync(path.join(p.dir, 'src/message.txt'), 'd2\n');
    await eventually(async () => (await answer()) === 'd2', 60_000, 'the new answer');
    const after = await ps();
    expect(after.keeper!.containerId).toBe(before.keeper!.containerId);
    expect(after.app!.restarts).toBe(0);
  }, 120_000);
});
