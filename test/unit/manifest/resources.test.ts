import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {SidecarError} from '../../../src/errors/index.js';
import {loadManifest} from '../../../src/manifest/load.js';
import {formatCpusK8s, formatMemory, parseCpus, parseMemory} from '../../../src/manifest/resources.js';

// Issue 12.4: `resources: {memory, cpus}`, Kubernetes quantities, errors at file:line:column.
const root = mkdtempSync(path.join(tmpdir(), 'sidecar-resources-'));
afterAll(() => rmSync(root, {recursive: true, force: true}));

function write(yaml: string): string {
  const dir = mkdtempSync(path.join(root, 'case-'));
  writeFileSync(path.join(dir, 'sidecar.yaml'), yaml);
  return path.join(dir, 'sidecar.yaml');
}

async function problems(yaml: string): Promise<string[]> {
  const file = write(yaml);
  try {
    await loadManifest(file);
  } catch (error) {
    if (!(error instanceof SidecarError)) throw error;
    expect(error.code).toBe('SIDECAR_MANIFEST_INVALID');
    return error.problems.map((p) => `${p.place?.line}:${p.place?.column} ${p.place?.path} | ${p.message} | ${p.suggestion ?? ''}`);
  }
  throw new Error('loaded without an error');
}

describe('parseMemory', () => {
  it.each([
    ['256Mi', 256 * 2 ** 20], ['1Gi', 2 ** 30], ['1.5Gi', 1.5 * 2 ** 30], ['500M', 500e6], ['1G', 1e9], ['7000k', 7e6],
    ['268435456', 268_435_456], [268_435_456, 268_435_456], ['1e9', 1e9], [' 64Mi ', 64 * 2 ** 20],
  ] as const)('%j -> %i bytes', (text, bytes) => {
    expect(parseMemory(text)).toEqual({ok: true, value: bytes});
  });

  it.each([['12XB', /"12XB" is not a memory size/], ['512m', /m means thousandths/], ['-1Gi', /not a memory size/], ['', /not a memory size/], ['Mi', /not a memory size/], ['1Mi', /less than 6Mi/], [100, /less than 6Mi/], ['99999Ei', /larger than any machine/], [true, /boolean true is not a memory size/]] as const)('refuses %j', (text, message) => {
    const parsed = parseMemory(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toMatch(message);
  });

  it.each([[256 * 2 ** 20, '256Mi'], [2 ** 30, '1Gi'], [1.5 * 2 ** 30, '1536Mi'], [500e6, '500M'], [6_291_457, '6291457']] as const)('formatMemory(%i) = %j and back', (bytes, text) => {
    expect(formatMemory(bytes)).toBe(text);
    expect(parseMemory(text)).toEqual({ok: true, value: bytes});
  });
});

describe('parseCpus', () => {
  it.each([[0.5, 0.5], ['0.5', 0.5], [2, 2], ['500m', 0.5], ['1500m', 1.5], ['.25', 0.25], ['10m', 0.01]] as const)('%j -> %f cores', (text, cpus) => {
    expect(parseCpus(text)).toEqual({ok: true, value: cpus});
  });

  it.each([['half', /"half" is not a number of CPUs/], ['0.001', /less than 0\.01/], [0, /less than 0\.01/], ['0.0125', /finer than a millicore/], ['-1', /not a number of CPUs/], ['1.5m', /finer than a millicore|less than/]] as const)('refuses %j', (text, message) => {
    const parsed = parseCpus(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toMatch(message);
  });

  it.each([[0.5, '500m'], [2, '2'], [1.25, '1250m'], [0.01, '10m']] as const)('formatCpusK8s(%f) = %j and back', (cpus, text) => {
    expect(formatCpusK8s(cpus)).toBe(text);
    expect(parseCpus(text)).toEqual({ok: true, value: cpus});
  });
});

describe('resources in the manifest (issue 12.4)', () => {
  it('normalizes memory to bytes and cpus to cores on the service that has them', async () => {
    const manifest = await loadManifest(write('version: 1\napp:\n  command: [node, a.js]\n  resources: {memory: 256Mi, cpus: 0.5}\nsidecars:\n  proxy:\n    command: [node, p.js]\n    resources:\n      cpus: 250m\n  bare: {command: [node, b.js]}\n'));
    const pod = manifest.pods[0]!;
    expect(pod.app.resources).toEqual({memoryBytes: 256 * 2 ** 20, cpus: 0.5});
    expect(pod.sidecars[0]!.resources).toEqual({cpus: 0.25});
    expect(pod.sidecars[1]!.resources).toBeUndefined();
  });

  it('takes interpolated values as quantities', async () => {
    process.env.SIDECAR_TEST_MEM = '128Mi';
    try {
      const manifest = await loadManifest(write('version: 1\napp:\n  command: [x]\n  resources: {memory: "${SIDECAR_TEST_MEM}", cpus: "${SIDECAR_TEST_CPUS:-1.5}"}\n'));
      expect(manifest.pods[0]!.app.resources).toEqual({memoryBytes: 128 * 2 ** 20, cpus: 1.5});
    } finally {
      delete process.env.SIDECAR_TEST_MEM;
    }
  });

  it('reports every bad quantity at its file:line:column, with the fix', async () => {
    const found = await problems('version: 1\npods:\n  web:\n    app:\n      command: [x]\n      resources:\n        memory: 12XB\n        cpus: lots\n    sidecars:\n      proxy:\n        command: [y]\n        resources: {memory: 512m}\n');
    expect(found).toEqual([
      expect.stringMatching(/^7:17 pods\.web\.app\.resources\.memory \| "12XB" is not a memory size \| write 256Mi or 1Gi/),
      expect.stringMatching(/^8:15 pods\.web\.app\.resources\.cpus \| "lots" is not a number of CPUs \| write a number of cores/),
      expect.stringMatching(/^12:29 pods\.web\.sidecars\.proxy\.resources\.memory \| "512m" is not a memory size: m means thousandths.* \| write 512Mi for mebibytes or 512M/),
    ]);
  });

  it('refuses an unknown key under resources with a did-you-mean', async () => {
    const found = await problems('version: 1\napp:\n  command: [x]\n  resources: {memroy: 1Gi}\n');
    expect(found.join('\n')).toMatch(/^4:\d+ app\.resources.*memroy.*memory/m);
  });
});
