import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, describe, expect, it} from 'vitest';
import {SidecarError} from '../../../src/errors/index.js';
import {sidecarStartOrder} from '../../../src/manifest/graph.js';
import {loadManifest, loadManifestWithWarnings} from '../../../src/manifest/load.js';

const root = mkdtempSync(path.join(tmpdir(), 'sidecar-load-'));
afterAll(() => rmSync(root, {recursive: true, force: true}));
const rich = fileURLToPath(new URL('../../fixtures/manifests/rich/sidecar.yaml', import.meta.url));

function write(yaml: string, files: Record<string, string> = {}, dirName = 'project'): string {
  const dir = mkdtempSync(path.join(root, `${dirName}-`));
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(dir, file), text);
  writeFileSync(path.join(dir, 'sidecar.yaml'), yaml);
  return path.join(dir, 'sidecar.yaml');
}

const MINIMAL = 'version: 1\napp:\n  command: [node, server.js]\nsidecars:\n  proxy:\n    image: envoy\n    health: {tcp: {port: 9901}}\ninit:\n  migrate: {command: [node, migrate.js]}\n';

describe('normalize defaults (DESIGN.md)', () => {
  it('applies probe, restart and stop defaults per role', async () => {
    const m = await loadManifest(write(MINIMAL), {env: {}});
    expect(m.pods[0]!.startup).toBe('ordered');
    expect(m.pods[0]!.app).toMatchObject({name: 'app', role: 'app', restart: 'on-failure', stopSignal: 'SIGTERM', stopTimeoutMs: 10_000, after: [], env: {}, ports: [], volumes: []});
    expect(m.pods[0]!.app.health).toBeUndefined();
    expect(m.pods[0]!.app.maxRestarts).toBeUndefined();
    const [proxy] = m.pods[0]!.sidecars;
    expect(proxy).toMatchObject({name: 'proxy', role: 'sidecar', restart: 'always', stopTimeoutMs: 10_000});
    expect(proxy!.health).toEqual({check: {kind: 'tcp', port: 9901}, intervalMs: 1000, timeoutMs: 1000, retries: 3, startPeriodMs: 0, startTimeoutMs: 60_000});
    expect(m.pods[0]!.init[0]).toMatchObject({name: 'migrate', role: 'init', restart: 'never'});
  });

  it('names the project after its directory when name is absent', async () => {
    const file = write(MINIMAL, {}, 'My_Shop');
    const m = await loadManifest(file, {env: {}});
    expect(m.name).toMatch(/^my-shop-[a-z0-9]+$/);
    expect(m.file).toBe(file);
    expect(m.dir).toBe(path.dirname(file));
    expect(m.pods[0]!.app.workdir).toBe(path.dirname(file));
  });

  it('http probe defaults: path /, scheme http, no headers', async () => {
    const m = await loadManifest(write('version: 1\napp:\n  command: [x]\n  health: {http: {port: 8080}}\n'), {env: {}});
    expect(m.pods[0]!.app.health!.check).toEqual({kind: 'http', port: 8080, path: '/', scheme: 'http', headers: {}});
  });
});

describe('interpolation in a manifest', () => {
  it('a plain-scalar ${APP_PORT} becomes an integer port, quoted stays a string', async () => {
    const yaml = 'version: 1\napp:\n  command: [x]\n  env: {QUOTED: "${APP_PORT}"}\n  health:\n    http:\n      port: ${APP_PORT}\n    retries: ${RETRIES}\n';
    const m = await loadManifest(write(yaml), {env: {APP_PORT: '8080', RETRIES: '5'}});
    expect(m.pods[0]!.app.health!.check).toMatchObject({port: 8080});
    expect(m.pods[0]!.app.health!.retries).toBe(5);
    expect(m.pods[0]!.app.env.QUOTED).toBe('8080');
  });

  it('reads .env beside the manifest; the process environment wins', async () => {
    const yaml = 'version: 1\napp:\n  command: [x]\n  env:\n    A: ${A}\n    B: ${B}\n    C: ${C:-fallback}\n';
    const file = write(yaml, {'.env': 'A=from-dotenv\nB=from-dotenv\n'});
    const m = await loadManifest(file, {env: {B: 'from-process'}});
    expect(m.pods[0]!.app.env).toEqual({A: 'from-dotenv', B: 'from-process', C: 'fallback'});
  });

  // Found by a new user's trial: `.env` values were taken as written, so
  // `URL=http://${HOST}:8080` reached the app with the `${HOST}` in it, and a line
  // that is not KEY=VALUE was dropped without a word. Compose does neither.
  it('interpolates .env values and envFile values as Compose does, and warns of a variable they use unset', async () => {
    const yaml = 'version: 1\napp:\n  command: [x]\n  envFile: [app.env]\n  env:\n    URL: ${URL}\n';
    const file = write(yaml, {'.env': 'HOST=db\nURL=http://${HOST}:${PORT:-5432}/${NAME}\n', 'app.env': 'DSN="${URL}?sslmode=off"\nRAW=\'${URL}\'\nWHO=${USER_NAME}\n'});
    const loaded = await loadManifestWithWarnings(file, {env: {USER_NAME: 'ada'}});
    expect(loaded.manifest.pods[0]!.app.env).toEqual({URL: 'http://db:5432/', DSN: 'http://db:5432/?sslmode=off', RAW: '${URL}', WHO: 'ada'});
    expect(loaded.warnings).toEqual([expect.stringContaining('variable NAME is not set')]);
  });

  it('a line of .env or of an envFile that is not KEY=VALUE is an invalid manifest at that file, line and column', async () => {
    const file = write('version: 1\napp:\n  command: [x]\n  envFile: app.env\n', {'.env': 'A=1\nthis is not a line\n'});
    const error = await loadManifest(file, {env: {}}).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SidecarError);
    expect((error as SidecarError).problems).toEqual([
      {message: '"this is not a line" is not KEY=VALUE', place: {file: path.join(path.dirname(file), '.env'), line: 2, column: 1, path: ''}, suggestion: expect.stringContaining('KEY=VALUE')},
    ]);
    writeFileSync(path.join(path.dirname(file), '.env'), 'A=1\n');
    writeFileSync(path.join(path.dirname(file), 'app.env'), 'OK=1\n  B="open\n');
    const second = await loadManifest(file, {env: {}}).catch((caught: unknown) => caught);
    expect((second as SidecarError).problems).toEqual([
      {message: 'the double quote that starts the value of B is never closed', place: {file: path.join(path.dirname(file), 'app.env'), line: 2, column: 5, path: ''}, suggestion: expect.stringContaining('close it')},
    ]);
  });

  it('the .env beside the manifest is used, not the one in the working directory', async () => {
    const file = write('version: 1\napp:\n  command: [x]\n  env: {A: "${A}"}\n', {'.env': 'A=beside'});
    writeFileSync(path.join(root, '.env'), 'A=elsewhere');
    const m = await loadManifest(path.relative(process.cwd(), file), {env: {}});
    expect(m.pods[0]!.app.env.A).toBe('beside');
  });

  it('keeps ${volumes.NAME} for the runtime and $$ as a literal $', async () => {
    const yaml = 'version: 1\napp:\n  command: [sh, -c, "ls ${volumes.logs} $$HOME"]\n  env: {LOG_DIR: "${volumes.logs}"}\n  volumes: ["logs:/var/log/app"]\nvolumes:\n  logs: {}\n';
    const m = await loadManifest(write(yaml), {env: {}});
    expect(m.pods[0]!.app.command).toEqual(['sh', '-c', 'ls ${volumes.logs} $HOME']);
    expect(m.pods[0]!.app.env.LOG_DIR).toBe('${volumes.logs}');
  });

  it('does not interpolate keys', async () => {
    const m = await loadManifest(write('version: 1\napp:\n  command: [x]\n  env: {$HOME: "1"}\n'), {env: {HOME: '/home/x'}}).catch((e: unknown) => e);
    // `$HOME` is not a valid variable name for env, so the key stays literal and is rejected as such.
    expect(m).toBeInstanceOf(SidecarError);
  });

  it('unset variables become "" with a warning', async () => {
    const {manifest, warnings} = await loadManifestWithWarnings(write('version: 1\napp:\n  command: [x, "${FLAG}", "$OTHER"]\n'), {env: {}});
    expect(manifest.pods[0]!.app.command).toEqual(['x', '', '']);
    expect(warnings).toEqual([expect.stringMatching(/^variable FLAG is not set/), expect.stringMatching(/^variable OTHER is not set/)]);
  });

  it('an unset ${VAR:?} points at the expression inside a quoted value', async () => {
    const error: unknown = await loadManifest(write('version: 1\napp:\n  image: "reg/app:${TAG:?}"\n'), {env: {}}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SidecarError);
    expect((error as SidecarError).problems[0]!.place).toMatchObject({line: 3, column: 19, path: 'app.image'});
  });
});

describe('services', () => {
  it('resolves bind mounts, workdir, build context and process overrides relative to the manifest', async () => {
    const m = await loadManifest(rich, {env: {}});
    const dir = path.dirname(rich);
    expect(m.name).toBe('rich-dev');
    expect(m.pods[0]!.app.workdir).toBe(path.join(dir, 'app'));
    expect(m.pods[0]!.app.build).toEqual({context: path.join(dir, 'app'), dockerfile: 'Dockerfile.dev', args: {NODE_VERSION: '20', DEBUG: 'false', EMPTY: ''}});
    expect(m.pods[0]!.app.volumes).toEqual([
      {type: 'volume', source: 'data', target: '/var/lib/app', readOnly: false},
      {type: 'bind', source: './config', hostPath: path.join(dir, 'config'), target: '/etc/app', readOnly: true},
      {type: 'bind', source: './cache', hostPath: path.join(dir, 'cache'), target: '/cache', readOnly: false},
    ]);
    expect(m.pods[0]!.app.process).toEqual({command: ['node', '--watch', 'server.js'], env: {NODE_ENV: 'development', DATA_DIR: '${volumes.data}'}, workdir: path.join(dir, 'app')});
    expect(m.pods[0]!.app.ports.map((p) => `${p.hostIp} ${p.hostPort}:${p.containerPort}/${p.protocol}`)).toEqual([
      '127.0.0.1 8080:8080/tcp', '0.0.0.0 9443:9443/tcp', '::1 5353:5353/udp', '127.0.0.1 7000:7000/tcp',
    ]);
    expect(m.pods[0]!.app.health).toEqual({
      check: {kind: 'http', port: 8080, path: '/healthz', scheme: 'http', headers: {'X-Probe': 'sidecar'}},
      intervalMs: 500, timeoutMs: 250, retries: 5, startPeriodMs: 1000, startTimeoutMs: 90_000,
    });
    expect(m.pods[0]!.app).toMatchObject({restart: 'on-failure', stopSignal: 'SIGINT', stopTimeoutMs: 15_000, maxRestarts: 3});
    expect(m.volumes).toEqual({data: {name: 'data', external: false}, shared: {name: 'shared', external: true}});
  });

  it('merges envFile then env (env wins), and accepts env as a KEY=VALUE list', async () => {
    const m = await loadManifest(rich, {env: {}});
    expect(m.pods[0]!.app.env).toMatchObject({FROM_FILE: 'yes', PORT: '8080', LOG_LEVEL: 'debug', GREETING: 'hello ${USER}'});
    expect(m.pods[0]!.sidecars.find((s) => s.name === 'log-shipper')!.env).toEqual({SHIP_TO: 'stdout', LEVEL: 'debug'});
  });

  it('YAML merge keys (<<: *anchor) apply', async () => {
    const m = await loadManifest(rich, {env: {}});
    expect(m.pods[0]!.sidecars[0]).toMatchObject({name: 'proxy', stopTimeoutMs: 2000, restart: 'always'});
  });

  it('a service may run only under the process runtime (process.command, no image)', async () => {
    const m = await loadManifest(write('version: 1\napp:\n  process: {command: [node, app.js]}\n'), {env: {}});
    expect(m.pods[0]!.app.command).toBeUndefined();
    expect(m.pods[0]!.app.process.command).toEqual(['node', 'app.js']);
  });
});

describe('sidecarStartOrder', () => {
  const order = async (sidecars: string) => {
    const m = await loadManifest(write(`version: 1\napp:\n  command: [x]\nsidecars:\n${sidecars}`), {env: {}});
    return sidecarStartOrder(m.pods[0]!).map((s) => s.name);
  };

  it('is declaration order without after', async () => {
    expect(await order('  c: {image: x}\n  a: {image: x}\n  b: {image: x}\n')).toEqual(['c', 'a', 'b']);
  });

  it('moves a sidecar behind what it waits for, keeping the rest in order', async () => {
    expect(await order('  a: {image: x, after: [c]}\n  b: {image: x}\n  c: {image: x}\n')).toEqual(['b', 'c', 'a']);
    expect(await order('  a: {image: x, after: [b, c]}\n  b: {image: x, after: [c]}\n  c: {image: x}\n  d: {image: x}\n')).toEqual(['c', 'b', 'a', 'd']);
  });

  it('the rich fixture: log-shipper waits for metrics', async () => {
    const m = await loadManifest(rich, {env: {}});
    expect(sidecarStartOrder(m.pods[0]!).map((s) => s.name)).toEqual(['proxy', 'metrics', 'log-shipper']);
  });
});
