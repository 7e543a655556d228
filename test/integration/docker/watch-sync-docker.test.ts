import {mkdirSync, readFileSync, rmSync, unlinkSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';
import {afterAll, beforeAll, expect, it} from 'vitest';
import {cli, ensureBuilt, eventually, freePort, project, readJson, type Project} from '../cli/cli-harness.js';
import {describeDocker, TEST_IMAGES} from './docker-engine.js';

// Issue 11.4/11.6 under Docker, through the built CLI and a real engine: `sync`
// copies changed and deleted files into the running container (no restart), an
// initial sync gives every new container the project's files (first start,
// sync+restart, rebuild), deletions stay deleted in a container made again from
// an image that holds them, `rebuild` recreates the app only (its sidecar keeps
// its container), and `down` leaves no supervisor (so no watcher) behind.
const docker = new Docker();
const name = `watchs-${Date.now().toString(36)}`;
let p: Project;
let port: number;

// Reads its files per request: a synced file is the new answer without a restart.
const SERVER = `const fs = require('node:fs');
const read = (file) => { try { return fs.readFileSync(file, 'utf8').trim(); } catch { return 'missing'; } };
const greeting = read('/app/conf/greeting.txt');
process.on('SIGTERM', () => process.exit(0));
require('node:http').createServer((req, res) => {
  if (req.url === '/ls') return res.end(JSON.stringify(fs.readdirSync('/app/www', {recursive: true}).sort()));
  if (req.url === '/greeting') return res.end(greeting);
  if (req.url === '/version') return res.end(read('/app/version.txt'));
  res.end(read('/app/www/message.txt'));
}).listen(8080, '0.0.0.0');
`;

const at = (relative: string): string => path.join(p.dir, relative);
const get = async (url: string): Promise<string | undefined> => fetch(`http://127.0.0.1:${port}${url}`).then((r) => r.text()).catch(() => undefined);
const listing = async (): Promise<string[] | undefined> => {
  const text = await get('/ls');
  return text === undefined ? undefined : (JSON.parse(text) as string[]);
};
type Status = {name: string; containerId: string | null; restarts: number; state: string};
const ps = async (): Promise<Record<string, Status>> =>
  Object.fromEntries((JSON.parse((await cli(p, ['ps', '--json'])).stdout) as {services: Status[]}).services.map((s) => [s.name, s]));
const watchLines = (): string[] => readFileSync(at('.sidecar/supervisor.log'), 'utf8').split('\n').filter((line) => / app: (synced|rebuilt|restarted)/.test(line));

describeDocker('up --watch on Docker: sync, sync+restart, rebuild', () => {
  beforeAll(async () => {
    ensureBuilt();
    port = await freePort();
    p = project(`version: 1
name: ${name}
app:
  build: {context: ./app}
  ports: ["127.0.0.1:${port}:8080"]
  health: {tcp: {port: 8080}, interval: 200ms}
  stopTimeout: 1s
  watch:
    - {path: ./app/www, action: sync, target: /app/www, ignore: ["*.tmp"]}
    - {path: ./app/conf, action: sync+restart, target: /app/conf}
    - {path: ./app/version.txt, action: rebuild}
sidecars:
  keeper:
    image: ${TEST_IMAGES.busybox}
    command: [sleep, "300"]
    stopTimeout: 1s
`);
    p.env = {...p.env, SIDECAR_INFRA_IMAGE: process.env.SIDECAR_INFRA_IMAGE ?? TEST_IMAGES.pause};
    mkdirSync(at('app/www/dir'), {recursive: true});
    mkdirSync(at('app/conf'));
    // The image holds www (old.txt too) but not conf: conf exists in a container only by sync.
    writeFileSync(at('app/Dockerfile'), `FROM ${TEST_IMAGES.node}\nCOPY www /app/www\nCOPY version.txt /app/version.txt\nCOPY server.cjs /srv/server.cjs\nCMD ["node", "/srv/server.cjs"]\n`);
    writeFileSync(at('app/.dockerignore'), 'conf\n');
    writeFileSync(at('app/server.cjs'), SERVER);
    writeFileSync(at('app/version.txt'), 'v1\n');
    writeFileSync(at('app/www/message.txt'), 'w1\n');
    writeFileSync(at('app/www/old.txt'), 'old\n');
    writeFileSync(at('app/www/dir/a.txt'), 'a\n');
    writeFileSync(at('app/conf/greeting.txt'), 'g1\n');
  }, 120_000);

  afterAll(async () => {
    if (!p) return;
    await cli(p, ['down', '--timeout', '1s']);
    for (const image of await docker.listImages({filters: {reference: [`${name}-*`]}})) await docker.getImage(image.Id).remove({force: true}).catch(() => {});
  });

  it('the first container starts with its synced files (initial sync)', async () => {
    const up = await cli(p, ['up', '--wait', '--watch', '--runtime', 'docker']);
    expect(up.exitCode, up.all).toBe(0);
    expect(await get('/greeting')).toBe('g1');
    expect(await get('/')).toBe('w1');
    expect(await listing()).toEqual(['dir', 'dir/a.txt', 'message.txt', 'old.txt']);
  }, 180_000);

  it('sync: an edit answers from the same container; adds, deletes and a removed directory follow; ignored files stay out', async () => {
    const before = await ps();
    writeFileSync(at('app/www/message.txt'), 'w2\n');
    await eventually(async () => (await get('/')) === 'w2', 60_000, 'the synced answer');
    mkdirSync(at('app/www/sub/deeper'), {recursive: true});
    writeFileSync(at('app/www/sub/deeper/new.txt'), 'new\n');
    writeFileSync(at('app/www/notes.tmp'), 'ignored\n');
    unlinkSync(at('app/www/old.txt'));
    rmSync(at('app/www/dir'), {recursive: true});
    const expected = ['message.txt', 'sub', 'sub/deeper', 'sub/deeper/new.txt'];
    await eventually(async () => JSON.stringify(await listing()) === JSON.stringify(expected), 60_000, 'adds and deletes synced');
    const after = await ps();
    expect(after.app!.containerId, 'sync must not restart the app').toBe(before.app!.containerId);
    expect(after.keeper!.containerId).toBe(before.keeper!.containerId);
    expect(after.app!.restarts).toBe(0);
    expect(watchLines()[0]).toMatch(/ app: synced, 1 file changed$/);
  }, 120_000);

  it('sync+restart: synced, then a new container that has every synced file and none of the deleted ones', async () => {
    const before = await ps();
    writeFileSync(at('app/conf/greeting.txt'), 'g2\n');
    await eventually(async () => (await get('/greeting')) === 'g2', 60_000, 'the restarted app with the new greeting');
    const after = await ps();
    expect(after.app!.containerId).not.toBe(before.app!.containerId);
    expect(after.keeper!.containerId, 'the sidecar keeps its container').toBe(before.keeper!.containerId);
    expect(after.app!.restarts).toBe(0);
    expect(await get('/')).toBe('w2');
    // old.txt and dir/ are in the image: deleted again once the new container runs.
    await eventually(async () => JSON.stringify(await listing()) === JSON.stringify(['message.txt', 'sub', 'sub/deeper', 'sub/deeper/new.txt']), 30_000, 'deletions kept');
    expect(watchLines()).toContainEqual(expect.stringMatching(/ app: synced and restarted, 1 file changed$/));
  }, 120_000);

  it('rebuild: a new image, the app recreated from it with its synced files; the sidecar untouched', async () => {
    // From a running app: the previous test's restart may still be settling (CI once read
    // `containerId: null` here, an app between two containers).
    const before = await eventually(async () => {
      const now = await ps();
      return now.app?.state === 'running' && now.app.containerId !== null ? now : undefined;
    }, 60_000, 'the app running before the rebuild');
    const imageBefore = (await docker.getContainer(before.app!.containerId!).inspect()).Image;
    writeFileSync(at('app/version.txt'), 'v2\n');
    await eventually(async () => (await get('/version')) === 'v2', 120_000, 'the rebuilt image answering');
    const after = await ps();
    expect(after.app!.containerId).not.toBeNull();
    expect((await docker.getContainer(after.app!.containerId!).inspect()).Image).not.toBe(imageBefore);
    expect(after.keeper!.containerId).toBe(before.keeper!.containerId);
    expect(after.app!.restarts).toBe(0);
    expect(await get('/greeting')).toBe('g2');
    expect(await get('/')).toBe('w2');
    expect(watchLines()).toContainEqual(expect.stringMatching(/ app: rebuilt and recreated, 1 file changed$/));
  }, 180_000);

  it('down stops the supervisor and its watcher, and removes the containers', async () => {
    const {pid} = readJson<{pid: number}>(at('.sidecar/supervisor.json'));
    const down = await cli(p, ['down', '--timeout', '1s']);
    expect(down.exitCode, down.all).toBe(0);
    await eventually(() => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    }, 20_000, 'the supervisor gone');
    expect(await docker.listContainers({all: true, filters: {name: [name]}})).toEqual([]);
  }, 60_000);
});
