import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {SidecarError} from '../../../src/errors/index.js';
import {loadManifest} from '../../../src/manifest/load.js';
import type {Manifest} from '../../../src/manifest/types.js';

// Issue 8.1 (DESIGN "The manifest"): an interpolated value takes the type of its
// field, as Compose casts it, in every YAML style; a value still wrong after
// interpolation is exit 3 at its line, naming the variable.
const root = mkdtempSync(path.join(tmpdir(), 'sidecar-typed-'));
afterAll(() => rmSync(root, {recursive: true, force: true}));

interface Field {
  field: string;
  path: string;
  // The manifest with V standing for the value as written; `flow` puts it inside { }.
  yaml: (value: string, flow: boolean) => string;
  read: (m: Manifest) => unknown;
  good: string;
  typed: unknown;
  bad: string;
  // The fields whose value is a whole scalar (not part of a string such as "${X}:8080").
  scalar?: boolean;
}

const CMD = 'command: [node, server.js]';
const FIELDS: Field[] = [
  {
    field: 'health.http.port', path: 'app.health.http.port', good: '30080', typed: 30_080, bad: 'abc', scalar: true,
    yaml: (v, flow) => (flow ? `version: 1\napp:\n  ${CMD}\n  health: {http: {port: ${v}, path: /}}\n` : `version: 1\napp:\n  ${CMD}\n  health:\n    http:\n      port: ${v}\n`),
    read: (m) => (m.pods[0]!.app.health!.check as {port: number}).port,
  },
  {
    field: 'health.tcp.port', path: 'app.health.tcp.port', good: '9901', typed: 9901, bad: '99x', scalar: true,
    yaml: (v, flow) => (flow ? `version: 1\napp:\n  ${CMD}\n  health: {tcp: {port: ${v}}}\n` : `version: 1\napp:\n  ${CMD}\n  health:\n    tcp:\n      port: ${v}\n`),
    read: (m) => (m.pods[0]!.app.health!.check as {port: number}).port,
  },
  {
    field: 'health.retries', path: 'app.health.retries', good: '3', typed: 3, bad: 'three', scalar: true,
    yaml: (v, flow) => (flow ? `version: 1\napp:\n  ${CMD}\n  health: {tcp: {port: 1}, retries: ${v}}\n` : `version: 1\napp:\n  ${CMD}\n  health:\n    tcp: {port: 1}\n    retries: ${v}\n`),
    read: (m) => m.pods[0]!.app.health!.retries,
  },
  {
    field: 'maxRestarts', path: 'app.maxRestarts', good: '7', typed: 7, bad: '1.5', scalar: true,
    yaml: (v, flow) => (flow ? `version: 1\napp: {${CMD}, maxRestarts: ${v}}\n` : `version: 1\napp:\n  ${CMD}\n  maxRestarts: ${v}\n`),
    read: (m) => m.pods[0]!.app.maxRestarts,
  },
  {
    field: 'volumes.NAME.external', path: 'volumes.data.external', good: 'true', typed: true, bad: 'maybe', scalar: true,
    yaml: (v, flow) => (flow ? `version: 1\napp:\n  ${CMD}\nvolumes: {data: {external: ${v}}}\n` : `version: 1\napp:\n  ${CMD}\nvolumes:\n  data:\n    external: ${v}\n`),
    read: (m) => m.volumes.data!.external,
  },
  {
    field: 'version', path: 'version', good: '1', typed: 1, bad: 'one', scalar: true,
    yaml: (v, flow) => (flow ? `{version: ${v}, app: {${CMD}}}\n` : `version: ${v}\napp:\n  ${CMD}\n`),
    read: (m) => m.version,
  },
  {
    field: 'health.interval', path: 'app.health.interval', good: '2s', typed: 2000, bad: 'soon', scalar: true,
    yaml: (v, flow) => (flow ? `version: 1\napp:\n  ${CMD}\n  health: {tcp: {port: 1}, interval: ${v}}\n` : `version: 1\napp:\n  ${CMD}\n  health:\n    tcp: {port: 1}\n    interval: ${v}\n`),
    read: (m) => m.pods[0]!.app.health!.intervalMs,
  },
  ...(['timeout', 'startPeriod', 'startTimeout'] as const).map((key): Field => ({
    field: `health.${key}`, path: `app.health.${key}`, good: '3s', typed: 3000, bad: '3 s', scalar: true,
    yaml: (v, flow) => (flow ? `version: 1\napp:\n  ${CMD}\n  health: {tcp: {port: 1}, ${key}: ${v}}\n` : `version: 1\napp:\n  ${CMD}\n  health:\n    tcp: {port: 1}\n    ${key}: ${v}\n`),
    read: (m) => m.pods[0]!.app.health![`${key}Ms`],
  })),
  {
    field: 'stopTimeout', path: 'app.stopTimeout', good: '1m', typed: 60_000, bad: 'never', scalar: true,
    yaml: (v, flow) => (flow ? `version: 1\napp: {${CMD}, stopTimeout: ${v}}\n` : `version: 1\napp:\n  ${CMD}\n  stopTimeout: ${v}\n`),
    read: (m) => m.pods[0]!.app.stopTimeoutMs,
  },
  // The same service fields where a sidecar, an init job and a pod of the pods form hold them.
  {
    field: 'sidecars.NAME.health.http.port', path: 'sidecars.proxy.health.http.port', good: '8081', typed: 8081, bad: '80a', scalar: true,
    yaml: (v, flow) => (flow ? `version: 1\napp:\n  ${CMD}\nsidecars: {proxy: {${CMD}, health: {http: {port: ${v}}}}}\n` : `version: 1\napp:\n  ${CMD}\nsidecars:\n  proxy:\n    ${CMD}\n    health:\n      http:\n        port: ${v}\n`),
    read: (m) => (m.pods[0]!.sidecars[0]!.health!.check as {port: number}).port,
  },
  {
    field: 'init.NAME.maxRestarts', path: 'init.migrate.maxRestarts', good: '2', typed: 2, bad: '-', scalar: true,
    yaml: (v, flow) => (flow ? `version: 1\napp:\n  ${CMD}\ninit: {migrate: {${CMD}, maxRestarts: ${v}}}\n` : `version: 1\napp:\n  ${CMD}\ninit:\n  migrate:\n    ${CMD}\n    maxRestarts: ${v}\n`),
    read: (m) => m.pods[0]!.init[0]!.maxRestarts,
  },
  {
    field: 'pods.NAME.app.health.retries', path: 'pods.web.app.health.retries', good: '5', typed: 5, bad: 'x', scalar: true,
    yaml: (v, flow) => (flow ? `version: 1\npods: {web: {app: {${CMD}, health: {tcp: {port: 1}, retries: ${v}}}}}\n` : `version: 1\npods:\n  web:\n    app:\n      ${CMD}\n      health:\n        tcp: {port: 1}\n        retries: ${v}\n`),
    read: (m) => m.pods[0]!.app.health!.retries,
  },
  {
    field: 'pods.NAME.app.ports[] (whole item)', path: 'pods.web.app.ports[0]', good: '9090', typed: '127.0.0.1:9090:9090', bad: 'ninety', scalar: true,
    yaml: (v, flow) => (flow ? `version: 1\npods: {web: {app: {${CMD}, ports: [${v}]}}}\n` : `version: 1\npods:\n  web:\n    app:\n      ${CMD}\n      ports:\n        - ${v}\n`),
    read: (m) => m.pods[0]!.app.ports.map((p) => `${p.hostIp}:${p.hostPort}:${p.containerPort}`).join(),
  },
  {
    field: 'ports[] (whole item)', path: 'app.ports[0]', good: '8080', typed: '127.0.0.1:8080:8080', bad: 'http', scalar: true,
    yaml: (v, flow) => (flow ? `version: 1\napp:\n  ${CMD}\n  ports: [${v}]\n` : `version: 1\napp:\n  ${CMD}\n  ports:\n    - ${v}\n`),
    read: (m) => m.pods[0]!.app.ports.map((p) => `${p.hostIp}:${p.hostPort}:${p.containerPort}`).join(),
  },
];

// How the value is written. `flow` ones sit inside { } or [ ], where YAML needs the quotes.
const STYLES = [
  {style: 'block, unquoted', flow: false, write: (e: string) => e},
  {style: 'block, double-quoted', flow: false, write: (e: string) => `"${e}"`},
  {style: 'block, single-quoted', flow: false, write: (e: string) => `'${e}'`},
  {style: 'flow, double-quoted', flow: true, write: (e: string) => `"${e}"`},
  {style: 'flow, single-quoted', flow: true, write: (e: string) => `'${e}'`},
];

const CASES = FIELDS.flatMap((field) => STYLES.map((style) => ({...field, ...style, name: `${field.field} (${style.style})`})));

let counter = 0;
function write(yaml: string): string {
  const file = path.join(root, `m${counter++}.yaml`);
  writeFileSync(file, yaml);
  return file;
}

async function problemOf(file: string, env: Record<string, string>) {
  const error: unknown = await loadManifest(file, {env}).catch((e: unknown) => e);
  expect(error, 'expected an invalid manifest').toBeInstanceOf(SidecarError);
  expect((error as SidecarError).exitCode).toBe(3);
  return (error as SidecarError).problems[0]!;
}

// Line and column (1-based) of the value as written.
function placeOf(yaml: string, written: string): {line: number; column: number} {
  const offset = yaml.indexOf(written);
  const before = yaml.slice(0, offset).split('\n');
  return {line: before.length, column: before.at(-1)!.length + 1};
}

describe('typed interpolation: every typed field in every YAML style (issue 8.1)', () => {
  it.each(CASES)('$name: a set variable takes the field\'s type', async (c) => {
    const m = await loadManifest(write(c.yaml(c.write('${X}'), c.flow)), {env: {X: c.good}});
    expect(c.read(m)).toEqual(c.typed);
  });

  it.each(CASES)('$name: a default takes the field\'s type', async (c) => {
    const m = await loadManifest(write(c.yaml(c.write(`\${X:-${c.good}}`), c.flow)), {env: {}});
    expect(c.read(m)).toEqual(c.typed);
  });

  it.each(CASES)('$name: an unset variable is exit 3 at its line, "X is not set"', async (c) => {
    const written = c.write('${X}');
    const yaml = c.yaml(written, c.flow);
    const problem = await problemOf(write(yaml), {});
    expect(problem.message).toMatch(/^X is not set: /);
    expect(problem.place).toMatchObject({...placeOf(yaml, written), path: c.path});
    expect(problem.suggestion).toMatch(/set X in the environment or in \.env beside the manifest, or give a default: \$\{X:-value\}/);
  });

  it.each(CASES)('$name: a value of the wrong kind is exit 3 at its line, naming X and its value', async (c) => {
    const written = c.write('${X}');
    const yaml = c.yaml(written, c.flow);
    const problem = await problemOf(write(yaml), {X: c.bad});
    expect(problem.message).toMatch(new RegExp(`^X=${JSON.stringify(c.bad).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
    expect(problem.message).toContain(JSON.stringify(c.bad));
    expect(problem.place).toMatchObject({...placeOf(yaml, written), path: c.path});
    expect(problem.suggestion).toMatch(/^change X/);
  });
});

describe('typed interpolation inside strings (issue 8.1)', () => {
  it.each([
    ['block list', (e: string) => `  ports:\n    - ${e}:8080\n`, '${P}'],
    ['block list, quoted', (e: string) => `  ports:\n    - "${e}:8080"\n`, '"${P}'],
    ['flow list, quoted', (e: string) => `  ports: ["${e}:8080"]\n`, '"${P}'],
  ])('a port mapping built from a variable (%s)', async (_style, item, written) => {
    const yaml = `version: 1\napp:\n  ${CMD}\n${item('${P}')}`;
    const m = await loadManifest(write(yaml), {env: {P: '18080'}});
    expect(m.pods[0]!.app.ports[0]).toMatchObject({hostPort: 18_080, containerPort: 8080});

    const unset = await problemOf(write(yaml), {});
    expect(unset.message).toMatch(/^P is not set: ":8080" is not a port mapping/);
    expect(unset.place).toMatchObject({...placeOf(yaml, written), path: 'app.ports[0]'});
    const bad = await problemOf(write(yaml), {P: 'abc'});
    expect(bad.message).toMatch(/^P="abc": "abc:8080" is not a port mapping/);
  });

  it('two variables in one value: both named', async () => {
    const yaml = `version: 1\napp:\n  ${CMD}\n  ports: ["\${HOST_IP}:\${P}:8080"]\n`;
    const problem = await problemOf(write(yaml), {HOST_IP: '127.0.0.1'});
    expect(problem.message).toMatch(/^P is not set, HOST_IP="127\.0\.0\.1": /);
  });
});

describe('typed fields without interpolation', () => {
  it('a quoted literal is cast too, as Compose does', async () => {
    const m = await loadManifest(write(`version: "1"\napp:\n  ${CMD}\n  maxRestarts: "2"\n  health: {http: {port: "8080"}, retries: "4"}\nvolumes: {data: {external: "false"}}\n`), {env: {}});
    expect(m.pods[0]!.app.health).toMatchObject({check: {port: 8080}, retries: 4});
    expect(m.pods[0]!.app.maxRestarts).toBe(2);
    expect(m.volumes.data!.external).toBe(false);
  });

  it('env values stay strings: 010 is not turned into 10, 1e3 not into 1000', async () => {
    const m = await loadManifest(write(`version: 1\napp:\n  ${CMD}\n  env:\n    A: \${A}\n    B: \${B}\n    C: \${C}\n`), {env: {A: '010', B: '1e3', C: 'true'}});
    expect(m.pods[0]!.app.env).toEqual({A: '010', B: '1e3', C: 'true'});
  });

  it.each([
    ['interval: 5', 5, '5'],
    ['interval: "${INTERVAL}"', 5, '"${INTERVAL}"'],
  ])('a duration without a unit says which unit to write (%s)', async (line, _n, written) => {
    const yaml = `version: 1\napp:\n  ${CMD}\n  health:\n    tcp: {port: 1}\n    ${line}\n`;
    const problem = await problemOf(write(yaml), {INTERVAL: '5'});
    expect(problem.message).toMatch(/5 has no unit/);
    expect(problem.suggestion).toMatch(/5s for seconds/);
    expect(problem.place).toMatchObject({...placeOf(yaml, written), path: 'app.health.interval'});
  });
});
