import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {SidecarError} from '../../../src/errors/index.js';
import {loadManifest} from '../../../src/manifest/load.js';
import {assertProcessPortsDistinct} from '../../../src/manifest/process-port-clash.js';
import {prepareUp} from '../../../src/stack/prepare-up.js';

// Issue 10.3 / DESIGN "Several pods": under the process runtime every pod shares
// the host's loopback, so a port two pods listen on (declared or probed) is exit 3
// before anything starts, naming both places. Docker gives each pod its own namespace.
const root = mkdtempSync(path.join(tmpdir(), 'sidecar-port-clash-'));
afterAll(() => rmSync(root, {recursive: true, force: true}));

function write(yaml: string): string {
  const dir = mkdtempSync(path.join(root, 'case-'));
  writeFileSync(path.join(dir, 'sidecar.yaml'), yaml);
  return path.join(dir, 'sidecar.yaml');
}

function clashes(file: string, run: () => void): string[] {
  try {
    run();
  } catch (error) {
    if (!(error instanceof SidecarError)) throw error;
    expect(error.code).toBe('SIDECAR_MANIFEST_INVALID');
    expect(error.exitCode).toBe(3);
    for (const problem of error.problems) expect(problem.suggestion).toMatch(/every pod shares the host's loopback.*--runtime docker/);
    return error.problems.map((p) => `${p.place?.file === file ? 'FILE' : p.place?.file}:${p.place?.line}:${p.place?.column} ${p.place?.path} | ${p.message}`.replaceAll(file, 'FILE'));
  }
  return [];
}

const CASES: {name: string; yaml: string; expected: RegExp[]}[] = [
  {
    name: 'the same container port declared in two pods',
    yaml: 'version: 1\npods:\n  web:\n    app: {command: [x], ports: ["18080:8080"]}\n  api:\n    app: {command: [x], ports: ["18081:8080"]}\n',
    expected: [/^FILE:6:33 pods\.api\.app\.ports\[0\] \| port 8080\/tcp is used by two pods: api\/app declares it, and web\/app declares it at FILE:4:33 pods\.web\.app\.ports\[0\]$/],
  },
  {
    name: 'a probe port of one pod declared by another pod',
    yaml: 'version: 1\npods:\n  web:\n    app: {command: [x], ports: ["9000"]}\n  api:\n    app: {command: [x]}\n    sidecars:\n      proxy: {command: [p], health: {http: {port: 9000}}}\n',
    expected: [/^FILE:8:51 pods\.api\.sidecars\.proxy\.health\.http\.port \| port 9000\/tcp is used by two pods: api\/proxy is probed on it, and web\/app declares it at FILE:4:33 pods\.web\.app\.ports\[0\]$/],
  },
  {
    name: 'probe ports in three pods: each later pod named once, against the first',
    yaml: 'version: 1\npods:\n  a:\n    app: {command: [x], health: {tcp: {port: 7000}}}\n  b:\n    app: {command: [x], health: {tcp: {port: 7000}}}\n  c:\n    app: {command: [x], health: {tcp: {port: 7000}}}\n',
    expected: [
      /^FILE:6:46 pods\.b\.app\.health\.tcp\.port \| port 7000\/tcp is used by two pods: b\/app is probed on it, and a\/app is probed on it at FILE:4:46 pods\.a\.app\.health\.tcp\.port$/,
      /^FILE:8:46 pods\.c\.app\.health\.tcp\.port \| port 7000\/tcp is used by two pods: c\/app is probed on it, and a\/app is probed on it at FILE:4:46/,
    ],
  },
  {
    name: 'tcp and udp on one number do not clash',
    yaml: 'version: 1\npods:\n  web:\n    app: {command: [x], ports: ["5353:53/udp"]}\n  api:\n    app: {command: [x], health: {tcp: {port: 53}}}\n',
    expected: [],
  },
  {
    name: 'distinct ports in every pod',
    yaml: 'version: 1\npods:\n  web:\n    app: {command: [x], ports: ["8080"], health: {http: {port: 8080}}}\n  api:\n    app: {command: [x], ports: ["8081"], health: {http: {port: 8081}}}\n',
    expected: [],
  },
];

describe('process runtime: ports that clash across pods (issue 10.3)', () => {
  it.each(CASES)('$name', async ({yaml, expected}) => {
    const file = write(yaml);
    const manifest = await loadManifest(file, {env: {}});
    const list = clashes(file, () => assertProcessPortsDistinct(manifest));
    expect(list, list.join('\n')).toHaveLength(expected.length);
    expected.forEach((pattern, i) => expect(list[i], list.join('\n')).toMatch(pattern));
  });

  it('the manifest path is the one the user gave, also when the manifest is not the loaded object', async () => {
    const file = write(CASES[0]!.yaml);
    const manifest = await loadManifest(file, {env: {}});
    // A copy (as prepare-up makes for build hashes) still finds the file's places.
    const list = clashes(file, () => assertProcessPortsDistinct({...manifest}));
    expect(list).toHaveLength(1);
    expect(list[0]).toMatch(/^FILE:6:33 .*at FILE:4:33/);
  });

  it('prepareUp refuses a clash under the process runtime before anything starts, and releases the project', async () => {
    const file = write(CASES[0]!.yaml);
    const error: unknown = await prepareUp(file, 'process', []).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SidecarError);
    expect((error as SidecarError).code).toBe('SIDECAR_MANIFEST_INVALID');
    expect((error as SidecarError).exitCode).toBe(3);
    expect((error as SidecarError).problems[0]!.message).toMatch(/port 8080\/tcp is used by two pods/);
    // The lock was released: a second attempt meets the same error, not "already running".
    const again: unknown = await prepareUp(file, 'process', []).catch((e: unknown) => e);
    expect((again as SidecarError).code).toBe('SIDECAR_MANIFEST_INVALID');
  });
});
