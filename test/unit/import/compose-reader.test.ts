import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {composeToManifest} from '../../../src/import/compose-reader.js';
import {writeNative, type ImportedService} from '../../../src/import/native-writer.js';
import {splitShellWords} from '../../../src/import/shell-words.js';
import {loadManifest} from '../../../src/manifest/load.js';

// Issue 12.3: how compose services group into pods (network_mode), order and roles.
describe('composeToManifest', () => {
  it('container:X and a chain of service:Y joins are one pod; X is its app; the rest pods of their own', () => {
    const {manifest} = composeToManifest('/p/docker-compose.yml', `
services:
  web: {image: web:1, depends_on: [proxy, cache]}
  proxy: {image: envoy:1, network_mode: "container:web"}
  tap: {image: tap:1, network_mode: "service:proxy"}
  cache: {image: redis:7}
`);
    expect(manifest.form).toBe('pods');
    expect(manifest.pods.map((p) => p.name)).toEqual(['web', 'cache']);
    const web = manifest.pods[0]!;
    expect(web.app.image).toBe('web:1');
    expect(web.sidecars.map((s) => s.name)).toEqual(['proxy', 'tap']);
    expect(web.after).toEqual(['cache']);
  });

  it('a member waited for with service_completed_successfully is an init job; depends_on orders the sidecars', () => {
    const {manifest, losses} = composeToManifest('/p/docker-compose.yml', `
services:
  app: {image: a:1, depends_on: {migrate: {condition: service_completed_successfully}}}
  late: {image: l:1, network_mode: service:app, depends_on: [early]}
  early: {image: e:1, network_mode: service:app}
  migrate: {image: a:1, network_mode: service:app, command: [node, migrate.js]}
  nosy: {image: n:1, network_mode: service:app, depends_on: [app]}
`);
    const pod = manifest.pods[0]!;
    expect(manifest.form).toBe('single');
    expect(pod.init.map((s) => s.name)).toEqual(['migrate']);
    expect(pod.sidecars.map((s) => s.name)).toEqual(['early', 'late', 'nosy']);
    expect(losses).toContainEqual(expect.objectContaining({service: 'app/nosy', feature: 'depends_on'}));
  });

  it('an infra pause container gives way: the last member nothing waits for is the app and gets its ports; generated POD- prefixes go', () => {
    const {manifest} = composeToManifest('/p/docker-compose.yml', `
services:
  shop: {image: registry.k8s.io/pause:3.9, ports: ["8080:8080"]}
  shop-proxy: {image: envoy:1, network_mode: service:shop}
  shop-app: {image: shop:1, network_mode: service:shop, depends_on: {shop-proxy: {condition: service_healthy}}}
`);
    const pod = manifest.pods[0]!;
    expect(pod.name).toBe('shop');
    expect(pod.app.image).toBe('shop:1');
    expect(pod.app.ports.map((p) => p.hostPort)).toEqual([8080]);
    expect(pod.sidecars.map((s) => s.name)).toEqual(['proxy']);
  });
});

describe('splitShellWords', () => {
  it('a port naming a variable is kept as written, in the file\'s order, for sidecar.yaml to interpolate as Compose does', async () => {
    const {manifest, losses} = composeToManifest('/p/docker-compose.yml', `
services:
  web:
    image: nginx
    ports:
      - "\${WEB_PORT:-8080}:80"
      - "9443:443"
      - {target: 81, published: "\${ADMIN_PORT}", host_ip: 127.0.0.1}
`);
    const web = manifest.pods[0]!.app as ImportedService;
    expect(web.portSpecs).toEqual(['${WEB_PORT:-8080}:80', '9443:443', '127.0.0.1:${ADMIN_PORT}:81']);
    expect(losses.filter((loss) => loss.feature === 'ports').map((loss) => loss.message)).toEqual([
      '${WEB_PORT:-8080}:80 is published on 127.0.0.1 here, not on every address (write 0.0.0.0:${WEB_PORT:-8080}:80 for that)',
      '9443:443 is published on 127.0.0.1 here, not on every address (write 0.0.0.0:9443:443 for that)',
    ]);
    const yaml = writeNative(manifest, losses, {outputDir: '/p', escapeDollars: false});
    expect(yaml).toContain('  ports:\n    - ${WEB_PORT:-8080}:80\n    - 9443:443\n    - 127.0.0.1:${ADMIN_PORT}:81\n');
  });

  it('durations, retries and cpus naming a variable are written as they are too; memory and restart say why they are not', async () => {
    const {manifest, losses} = composeToManifest('/p/docker-compose.yml', `
services:
  web:
    image: nginx
    healthcheck:
      test: [CMD, "true"]
      interval: \${HC_INTERVAL:-10s}
      retries: \${HC_RETRIES:-5}
      start_period: 2s
    stop_grace_period: \${GRACE:-30s}
    cpus: \${CPUS:-0.5}
    mem_limit: \${MEM:-512m}
    restart: \${RESTART:-always}
`);
    const yaml = writeNative(manifest, losses, {outputDir: '/p', escapeDollars: false});
    // The start waits as long as Compose would with the defaults (30s x 3 retries): the values are not known before `up`.
    expect(yaml).toContain('  health:\n    exec:\n      - "true"\n    interval: ${HC_INTERVAL:-10s}\n    timeout: 30s\n    startPeriod: 2s\n    startTimeout: 92s\n    retries: ${HC_RETRIES:-5}\n');
    expect(yaml).toContain('  stopTimeout: ${GRACE:-30s}\n');
    expect(yaml).toContain('  resources:\n    cpus: ${CPUS:-0.5}\n');
    const messages = losses.map((loss) => `${loss.feature}: ${loss.message}`);
    expect(messages).toContain('mem_limit: ${MEM:-512m} names a variable, and Docker\'s sizes (512m) are not sidecar.yaml\'s (512Mi): no memory limit; write resources.memory yourself');
    expect(messages).toContain('restart: ${RESTART:-always} names a variable, and Compose\'s policies (no, unless-stopped) are not sidecar.yaml\'s (never, always): the default applies; write restart yourself');
    expect(messages.filter((m) => m.includes('is not a duration'))).toEqual([]);
    // sidecar.yaml reads them as Compose does: the default, or the variable's value.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sidecar-verbatim-'));
    try {
      writeFileSync(path.join(dir, 'sidecar.yaml'), yaml);
      const read = async (env: Record<string, string>) => (await loadManifest(path.join(dir, 'sidecar.yaml'), {env})).pods[0]!.app;
      expect(await read({})).toMatchObject({health: {intervalMs: 10_000, retries: 5}, stopTimeoutMs: 30_000, resources: {cpus: 0.5}});
      expect(await read({HC_INTERVAL: '3s', HC_RETRIES: '7', GRACE: '1m', CPUS: '2'})).toMatchObject({health: {intervalMs: 3000, retries: 7}, stopTimeoutMs: 60_000, resources: {cpus: 2}});
    } finally {
      rmSync(dir, {recursive: true, force: true});
    }
  });

  it('splits as Compose does a command string', () => {
    expect(splitShellWords(`sh -c 'echo "a b"; exit 1' "x \\"y\\"" z\\ w`)).toEqual(['sh', '-c', 'echo "a b"; exit 1', 'x "y"', 'z w']);
    expect(splitShellWords('  ')).toEqual([]);
    expect(splitShellWords(`a '' b`)).toEqual(['a', '', 'b']);
  });
});
