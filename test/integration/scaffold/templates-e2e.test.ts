import {copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {isMap, parseDocument} from 'yaml';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {sidecar} from './run-cli.js';
import {freePort} from '../../helpers/free-port.js';

// Issue 5 point 4: each template, added to a small project with `sidecar add`,
// brought up with the app under the process runtime by `sidecar run`, where a
// check program (fixtures/e2e/<template>/check.js) exercises it and exits non-zero on failure.
const FIXTURES = fileURLToPath(new URL('./fixtures/e2e/', import.meta.url));

interface Case {
  template: string;
  // Sidecar env overrides and the check's env, given the app's port and two free ports.
  sidecarEnv: (ports: Ports) => Record<string, string>;
  checkEnv: (ports: Ports, dir: string) => Record<string, string>;
  // The port the fragment's HTTP health probe must use once its env moved the server.
  healthPort: (ports: Ports) => number;
  appEnv?: Record<string, string>;
  appVolumes?: string[];
  runEnv?: Record<string, string>;
}
interface Ports {
  app: number;
  a: number;
  b: number;
}

const SECRET = 'e2e-secret-0123456789abcdef0123456789abcdef';
const CASES: Case[] = [
  {
    template: 'http-proxy',
    healthPort: (p) => p.b,
    sidecarEnv: (p) => ({LISTEN_PORT: String(p.a), ADMIN_PORT: String(p.b), UPSTREAMS: `127.0.0.1:${p.app}`, RETRIES: '2', RETRY_BACKOFF_MS: '10', BREAKER_THRESHOLD: '3', BREAKER_COOLDOWN_MS: '60000'}),
    checkEnv: (p) => ({APP_PORT: String(p.app), PROXY_PORT: String(p.a), ADMIN_PORT: String(p.b)}),
  },
  {
    template: 'log-shipper',
    healthPort: (p) => p.a,
    sidecarEnv: (p) => ({HEALTH_PORT: String(p.a), SHIP_URL: `http://127.0.0.1:${p.app}/ingest`, BATCH_INTERVAL_MS: '100', RETRY_BASE_MS: '100', RETRY_MAX_MS: '500', ROTATE_WAIT_MS: '1500'}),
    checkEnv: (p) => ({APP_PORT: String(p.app)}),
    appEnv: {LOG_DIR: '${volumes.shared}'},
    appVolumes: ['shared:/shared'],
  },
  {
    template: 'metrics-exporter',
    healthPort: (p) => p.a,
    sidecarEnv: (p) => ({PORT: String(p.a), TARGET_URL: `http://127.0.0.1:${p.app}/metrics.json`}),
    checkEnv: (p) => ({EXPORTER_PORT: String(p.a)}),
  },
  {
    template: 'config-reloader',
    healthPort: (p) => p.a,
    sidecarEnv: (p) => ({HEALTH_PORT: String(p.a), NOTIFY_URL: `http://127.0.0.1:${p.app}/-/reload`, POLL_INTERVAL_MS: '200', DEBOUNCE_MS: '100'}),
    checkEnv: (p, dir) => ({APP_PORT: String(p.app), SOURCE_FILE: path.join(dir, 'sidecars/config-reloader/config/app.conf')}),
    appEnv: {CONFIG_FILE: '${volumes.shared}/app.conf'},
    appVolumes: ['shared:/shared'],
  },
  {
    template: 'auth-proxy',
    healthPort: (p) => p.a,
    sidecarEnv: (p) => ({LISTEN_PORT: String(p.a), UPSTREAM: `http://127.0.0.1:${p.app}`}),
    checkEnv: (p) => ({APP_PORT: String(p.app), AUTH_PORT: String(p.a), JWT_SECRET: SECRET, JWT_AUDIENCE: 'e2e'}),
    runEnv: {JWT_SECRET: SECRET, JWT_AUDIENCE: 'e2e'},
  },
];

describe('templates end to end under the process runtime', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'sidecar-templates-e2e-'));
  });
  afterAll(() => rmSync(tmp, {recursive: true, force: true}));

  it.each(CASES)('$template', async (c) => {
    const dir = path.join(tmp, c.template);
    mkdirSync(path.join(dir, 'app'), {recursive: true});
    copyFileSync(path.join(FIXTURES, c.template, 'app.js'), path.join(dir, 'app/app.js'));
    copyFileSync(path.join(FIXTURES, c.template, 'check.js'), path.join(dir, 'check.js'));
    writeFileSync(path.join(dir, 'app/package.json'), '{"type": "module"}\n');
    writeFileSync(path.join(dir, 'package.json'), '{"type": "module"}\n');
    const ports: Ports = {app: await freePort(), a: await freePort(), b: await freePort()};
    // Ready once it listens, so the check never races the app's start (a service
    // without a probe is ready as soon as it runs: CI saw check.js refused once).
    const app = {command: ['node', 'app.js'], workdir: './app', env: {PORT: String(ports.app), ...c.appEnv}, health: {tcp: {port: ports.app}, interval: '250ms'}, ...(c.appVolumes ? {volumes: c.appVolumes} : {})};
    const volumes = c.appVolumes ? 'volumes: {shared: {}}\n' : '';
    writeFileSync(path.join(dir, 'sidecar.yaml'), `# e2e: ${c.template}\nversion: 1\nname: e2e-${c.template}\napp: ${JSON.stringify(app)}\n${volumes}`);

    const added = await sidecar(['add', c.template], dir, c.runEnv);
    expect(added.exitCode, added.stderr).toBe(0);
    // Point the sidecar at this test's ports; host ports are irrelevant to the process runtime.
    const doc = parseDocument(readFileSync(path.join(dir, 'sidecar.yaml'), 'utf8'));
    const entry = doc.getIn(['sidecars', c.template], true);
    if (!isMap(entry)) throw new Error('add did not write the sidecar entry');
    entry.delete('ports');
    doc.setIn(['sidecars', c.template, 'health', 'http', 'port'], c.healthPort(ports));
    for (const [key, value] of Object.entries(c.sidecarEnv(ports))) doc.setIn(['sidecars', c.template, 'env', key], value);
    writeFileSync(path.join(dir, 'sidecar.yaml'), doc.toString());

    const result = await sidecar(['run', '--runtime', 'process', '--timeout', '60s', '--', 'node', 'check.js'], dir, {...c.runEnv, ...c.checkEnv(ports, dir)});
    expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stdout).toContain('ok:');
  }, 120_000);
});
