import {execFileSync} from 'node:child_process';
import {copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {isMap, parseDocument} from 'yaml';
import {afterAll, beforeAll, expect, it} from 'vitest';
import {describeDocker, TEST_IMAGES, tempProject} from '../docker/docker-engine.js';
import {run} from './run-cli.js';
import {freePort} from '../../helpers/free-port.js';

// Issue 5 point 4, the Docker half of templates-e2e.test.ts: each template, added
// with `sidecar add`, runs as a container built from its own Dockerfile next to
// the demo app's container in one pod, under `sidecar run --runtime docker`.
// The same check programs run on the host and reach the pod through ports
// published on 127.0.0.1; inside the pod the app and the sidecar share localhost.
const FIXTURES = fileURLToPath(new URL('./fixtures/e2e/', import.meta.url));
const BIN = fileURLToPath(new URL('../../../bin/run.js', import.meta.url));
// Container ports: fixed, since every pod has its own network namespace.
const APP_PORT = 8080;

interface Case {
  template: string;
  // Container ports of the sidecar the check calls, published on free host ports.
  sidecarPorts: number[];
  sidecarEnv: Record<string, string>;
  // The check's env, given the host port of each published container port.
  checkEnv: (host: (containerPort: number) => number, dir: string) => Record<string, string>;
  appEnv?: Record<string, string>;
  appVolumes?: string[];
  runEnv?: Record<string, string>;
}

const SECRET = 'e2e-secret-0123456789abcdef0123456789abcdef';
// The templates' own container ports (their fragments' defaults) and the process test's timings.
const CASES: Case[] = [
  {
    template: 'http-proxy',
    sidecarPorts: [15001, 15000],
    sidecarEnv: {RETRIES: '2', RETRY_BACKOFF_MS: '10', BREAKER_THRESHOLD: '3', BREAKER_COOLDOWN_MS: '60000'},
    checkEnv: (host) => ({APP_PORT: String(host(APP_PORT)), PROXY_PORT: String(host(15001)), ADMIN_PORT: String(host(15000))}),
  },
  {
    template: 'log-shipper',
    sidecarPorts: [],
    sidecarEnv: {SHIP_URL: `http://127.0.0.1:${APP_PORT}/ingest`, BATCH_INTERVAL_MS: '100', RETRY_BASE_MS: '100', RETRY_MAX_MS: '500', ROTATE_WAIT_MS: '1500'},
    checkEnv: (host) => ({APP_PORT: String(host(APP_PORT))}),
    // The app writes (and rotates) the log file inside the pod, in the named volume.
    appEnv: {LOG_DIR: '${volumes.shared}'},
    appVolumes: ['shared:/shared'],
  },
  {
    template: 'metrics-exporter',
    sidecarPorts: [9464],
    sidecarEnv: {},
    checkEnv: (host) => ({EXPORTER_PORT: String(host(9464))}),
  },
  {
    template: 'config-reloader',
    sidecarPorts: [],
    sidecarEnv: {POLL_INTERVAL_MS: '200', DEBOUNCE_MS: '100'},
    // The source is bind-mounted from the project: the check edits it on the host.
    checkEnv: (host, dir) => ({APP_PORT: String(host(APP_PORT)), SOURCE_FILE: path.join(dir, 'sidecars/config-reloader/config/app.conf')}),
    appEnv: {CONFIG_FILE: '${volumes.shared}/app.conf'},
    appVolumes: ['shared:/shared'],
  },
  {
    template: 'auth-proxy',
    sidecarPorts: [4180],
    sidecarEnv: {},
    checkEnv: (host) => ({APP_PORT: String(host(APP_PORT)), AUTH_PORT: String(host(4180)), JWT_SECRET: SECRET, JWT_AUDIENCE: 'e2e'}),
    runEnv: {JWT_SECRET: SECRET, JWT_AUDIENCE: 'e2e'},
  },
];

// The demo app's image: the test's node image, the fixture's app.js.
const APP_DOCKERFILE = `FROM ${TEST_IMAGES.node}\nWORKDIR /app\nCOPY package.json app.js ./\nCMD ["node", "app.js"]\n`;

describeDocker('templates end to end under the Docker runtime', () => {
  let root: string;
  let prefix: string;
  const images: string[] = [];
  const volumes: string[] = [];
  beforeAll(() => {
    ({dir: root, name: prefix} = tempProject('sct-tpl'));
  });
  afterAll(() => {
    // `sidecar run` downs the stack; what it keeps (images it built, named volumes) goes here.
    if (images.length > 0) execFileSync('docker', ['image', 'rm', '-f', ...images], {stdio: 'ignore'});
    if (volumes.length > 0) execFileSync('docker', ['volume', 'rm', '-f', ...volumes], {stdio: 'ignore'});
    rmSync(root, {recursive: true, force: true});
  });

  it.each(CASES)('$template', async (c) => {
    const dir = path.join(root, c.template);
    const name = `${prefix}-${c.template}`;
    mkdirSync(path.join(dir, 'app'), {recursive: true});
    copyFileSync(path.join(FIXTURES, c.template, 'app.js'), path.join(dir, 'app/app.js'));
    copyFileSync(path.join(FIXTURES, c.template, 'check.js'), path.join(dir, 'check.js'));
    writeFileSync(path.join(dir, 'app/package.json'), '{"type": "module"}\n');
    writeFileSync(path.join(dir, 'app/Dockerfile'), APP_DOCKERFILE);
    writeFileSync(path.join(dir, 'package.json'), '{"type": "module"}\n');

    const hostPorts = new Map<number, number>();
    for (const port of [APP_PORT, ...c.sidecarPorts]) hostPorts.set(port, await freePort());
    const publish = (port: number): string => `${hostPorts.get(port)}:${port}`;
    const host = (port: number): number => hostPorts.get(port)!;
    const appImage = `${name}-app:e2e`;
    const sidecarImage = `${name}:e2e`;
    images.push(appImage, sidecarImage);
    if (c.appVolumes) volumes.push(`${name}_shared`);
    const app = {
      build: './app',
      image: appImage,
      // Published ports arrive on the pod's interface, not on its loopback.
      env: {PORT: String(APP_PORT), HOST: '0.0.0.0', ...c.appEnv},
      ports: [publish(APP_PORT)],
      // Ready once it listens, so the check never races the app's start.
      health: {tcp: {port: APP_PORT}, interval: '250ms'},
      ...(c.appVolumes ? {volumes: c.appVolumes} : {}),
    };
    const volumesBlock = c.appVolumes ? 'volumes: {shared: {}}\n' : '';
    writeFileSync(path.join(dir, 'sidecar.yaml'), `# e2e (docker): ${c.template}\nversion: 1\nname: ${name}\napp: ${JSON.stringify(app)}\n${volumesBlock}`);

    const added = await run(process.execPath, [BIN, 'add', c.template], dir, {NO_COLOR: '1', ...c.runEnv});
    expect(added.exitCode, added.stderr).toBe(0);
    // Build the sidecar from its own Dockerfile on the local node image (no registry here).
    const doc = parseDocument(readFileSync(path.join(dir, 'sidecar.yaml'), 'utf8'));
    const entry = doc.getIn(['sidecars', c.template], true);
    if (!isMap(entry)) throw new Error('add did not write the sidecar entry');
    // The check calls the app directly too: keep it published next to a front proxy `add` made the only way in.
    doc.setIn(['app', 'ports'], doc.createNode([publish(APP_PORT)]));
    doc.setIn(['sidecars', c.template, 'image'], sidecarImage);
    doc.setIn(['sidecars', c.template, 'build'], doc.createNode({context: `./sidecars/${c.template}`, args: {NODE_IMAGE: TEST_IMAGES.node}}));
    if (c.sidecarPorts.length > 0) doc.setIn(['sidecars', c.template, 'ports'], doc.createNode(c.sidecarPorts.map(publish)));
    else entry.delete('ports');
    for (const [key, value] of Object.entries(c.sidecarEnv)) doc.setIn(['sidecars', c.template, 'env', key], value);
    writeFileSync(path.join(dir, 'sidecar.yaml'), doc.toString());

    const result = await run(
      process.execPath,
      [BIN, 'run', '--runtime', 'docker', '--timeout', '90s', '--', 'node', 'check.js'],
      dir,
      {NO_COLOR: '1', SIDECAR_INFRA_IMAGE: TEST_IMAGES.pause, ...c.runEnv, ...c.checkEnv(host, dir)},
      150_000,
    );
    expect(result.exitCode, `${result.stdout}\n${result.stderr}\n${readFileSync(path.join(dir, 'sidecar.yaml'), 'utf8')}`).toBe(0);
    expect(result.stdout).toContain('ok:');
  }, 180_000);
});
