import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {parse} from 'yaml';
import {SidecarError} from '../../../src/errors/index.js';
import {composeToManifest} from '../../../src/import/compose-reader.js';
import {planImport} from '../../../src/import/import-file.js';
import type {Manifest, Service} from '../../../src/manifest/types.js';

// Issue 12.3: what `docker compose up` would run from a file, before it is
// imported: profiles left out unless active, `extends` merged, `include` copied in
// (compose-spec "Profiles", "extends", "Merge and override", "Include").
const root = mkdtempSync(path.join(os.tmpdir(), 'sidecar-compose-model-'));
afterAll(() => rmSync(root, {recursive: true, force: true}));

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(root, 'p-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), {recursive: true});
    writeFileSync(path.join(dir, name), text);
  }
  return path.join(dir, 'compose.yaml');
}

function load(files: Record<string, string>, profiles: string[] = []) {
  const file = project(files);
  return composeToManifest(file, files['compose.yaml']!, profiles);
}

const services = (manifest: Manifest): Service[] => manifest.pods.flatMap((pod) => [pod.app, ...pod.sidecars, ...pod.init]);
const byPod = (manifest: Manifest, pod: string): Service => manifest.pods.find((p) => p.name === pod)!.app;

describe('compose profiles', () => {
  const files = {
    'compose.yaml': `services:
  web: {image: web:1, depends_on: [db]}
  db: {image: postgres:16}
  phpmyadmin: {image: phpmyadmin:5, depends_on: [db], profiles: [debug]}
  mailhog: {image: mailhog:1, profiles: [dev-tools, debug]}
  seed: {image: web:1, profiles: [tools]}
`,
  };

  it('services of a profile are left out, as `docker compose up` leaves them, each named with the way to get it', () => {
    const {manifest, losses} = load(files);
    expect(manifest.pods.map((p) => p.name)).toEqual(['web', 'db']);
    const general = losses.filter((loss) => loss.service === undefined).map((loss) => `${loss.feature}: ${loss.message}`);
    expect(general).toContain('services.phpmyadmin: left out, as `docker compose up` leaves it without --profile debug (profile debug); import with COMPOSE_PROFILES=debug to include it');
    expect(general).toContain('services.mailhog: left out, as `docker compose up` leaves it without --profile dev-tools (profiles dev-tools, debug); import with COMPOSE_PROFILES=dev-tools to include it');
    expect(losses.some((loss) => loss.feature.includes('profiles') && loss.message === 'sidecar has no equivalent')).toBe(false);
  });

  it('active profiles (COMPOSE_PROFILES) bring their services in; * brings every one', () => {
    expect(load(files, ['debug']).manifest.pods.map((p) => p.name)).toEqual(['web', 'db', 'phpmyadmin', 'mailhog']);
    expect(load(files, ['*']).manifest.pods.map((p) => p.name)).toEqual(['web', 'db', 'phpmyadmin', 'mailhog', 'seed']);
  });

  it('sidecar import reads COMPOSE_PROFILES from the .env beside the file, as Compose does', () => {
    const file = project({...files, '.env': 'COMPOSE_PROFILES=tools\n'});
    const plan = planImport(file, path.join(path.dirname(file), 'sidecar.yaml'));
    expect(Object.keys((parse(plan.yaml) as {pods: Record<string, unknown>}).pods)).toEqual(['web', 'db', 'seed']);
  });

  it('a service that depends on a left-out one says so', () => {
    const {losses} = load({'compose.yaml': 'services:\n  web: {image: w, depends_on: [cache]}\n  cache: {image: redis, profiles: [cache]}\n'});
    expect(losses).toContainEqual({feature: 'services.web.depends_on', message: 'cache is left out (its profile is not active): Compose refuses to start web without it too'});
  });
});

describe('compose extends', () => {
  it('within the file and from a file in another directory, merged by Compose\'s rules, relative paths kept pointing at the same places', () => {
    const {manifest, losses} = load({
      'common/services.yml': `services:
  base:
    build: ./api
    environment: {LOG_LEVEL: info, REGION: eu}
    env_file: ./common.env
    ports: ["8080:8080"]
    volumes: ["./config:/etc/app:ro", "data:/var/lib/app"]
    healthcheck: {test: [CMD, wget, -qO-, "http://localhost:8080/health"], interval: 10s, retries: 5}
    command: [node, server.js]
`,
      'common/common.env': 'A=1\n',
      'compose.yaml': `services:
  api:
    extends: {file: common/services.yml, service: base}
    environment: [LOG_LEVEL=debug]
    ports: ["9229:9229", "8080:8080"]
    volumes: ["./local-config:/etc/app"]
    healthcheck: {test: [CMD, "true"]}
  worker:
    extends: api
    command: [node, worker.js]
volumes:
  data: {}
`,
    });
    const api = byPod(manifest, 'api');
    const worker = byPod(manifest, 'worker');
    const dir = path.dirname(manifest.file);
    for (const service of [api, worker]) {
      expect(service.build?.context).toBe(path.join(dir, 'common/api'));
      expect(service.env).toEqual({LOG_LEVEL: 'debug', REGION: 'eu'});
      expect((service as {envFile?: string[]}).envFile).toEqual(['./common/common.env']);
      // Ports unique by {ip, published, target, protocol}: the local 8080:8080 is the base's.
      expect(service.ports.map((p) => `${p.hostPort}:${p.containerPort}`)).toEqual(['8080:8080', '9229:9229']);
      // Volumes unique by target: the local mount replaces the base's in place.
      expect(service.volumes.map((m) => `${m.type === 'bind' ? path.relative(dir, m.hostPath) : m.source}:${m.target}${m.readOnly ? ':ro' : ''}`)).toEqual(['local-config:/etc/app', 'data:/var/lib/app']);
      // healthcheck merged as a mapping, its test replaced.
      expect(service.health).toMatchObject({check: {kind: 'exec', command: ['true']}, intervalMs: 10_000, retries: 5});
    }
    expect(api.command).toEqual(['node', 'server.js']);
    expect(worker.command).toEqual(['node', 'worker.js']);
    expect(losses.some((loss) => loss.feature.includes('extends'))).toBe(false);
  });

  it('a loop or a missing base is refused (exit 3), as Compose refuses it', () => {
    const loop = () => load({'compose.yaml': 'services:\n  a: {image: x, extends: b}\n  b: {image: y, extends: a}\n'});
    expect(loop).toThrow(SidecarError);
    expect(loop).toThrow(/extends loops: a -> b -> a/);
    expect(() => load({'compose.yaml': 'services:\n  a: {image: x, extends: nothere}\n'})).toThrow(/extends names service "nothere", which the file does not define/);
  });
});

describe('compose include', () => {
  it('copies the included project\'s services and volumes in, its relative paths resolved from its own directory', () => {
    const {manifest, losses} = load({
      'db/compose.yaml': `services:
  postgres:
    image: postgres:16
    volumes: ["./init:/docker-entrypoint-initdb.d:ro", "pgdata:/var/lib/postgresql/data"]
volumes:
  pgdata: {}
`,
      'db/.env': 'POSTGRES_VERSION=16\n',
      'compose.yaml': 'include:\n  - db/compose.yaml\nservices:\n  web: {image: web:1, depends_on: [postgres]}\n',
    });
    expect(manifest.pods.map((p) => p.name)).toEqual(['web', 'postgres']);
    expect(manifest.pods[0]!.after).toEqual(['postgres']);
    const postgres = byPod(manifest, 'postgres');
    expect(postgres.volumes.map((m) => (m.type === 'bind' ? path.relative(path.dirname(manifest.file), m.hostPath) : m.source))).toEqual(['db/init', 'pgdata']);
    expect(Object.keys(manifest.volumes)).toEqual(['pgdata']);
    expect(losses).toContainEqual({feature: 'include[0].env_file', message: 'db/.env: variables of db/compose.yaml are interpolated from the environment and the .env beside sidecar.yaml, not from there'});
    expect(services(manifest).every((s) => s.image)).toBe(true);
  });

  it('a service defined both in the file and in an included one is refused, as Compose refuses it', () => {
    expect(() => load({'other.yaml': 'services:\n  web: {image: a}\n', 'compose.yaml': 'include: [other.yaml]\nservices:\n  web: {image: b}\n'})).toThrow(/service "web" of other\.yaml \(included\) is also defined in compose\.yaml/);
  });
});
