import {copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, describe, expect, it} from 'vitest';
import {SidecarError} from '../../../src/errors/index.js';
import {loadManifest} from '../../../src/manifest/load.js';
import {allServices, podsInStartOrder, type Manifest} from '../../../src/manifest/types.js';

// Issue 2 point 11: random mutations of real manifests must end in a Manifest
// or a SidecarError whose every problem has a place, never in anything else.
const ITERATIONS = Number(process.env.SIDECAR_FUZZ_ITERATIONS ?? 3000);
const SEED = Number(process.env.SIDECAR_FUZZ_SEED ?? 20_240_611);

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const rich = path.join(repo, 'test/fixtures/manifests/rich');

function exampleManifests(): string[] {
  const dir = path.join(repo, 'examples');
  if (!existsSync(dir)) return [];
  return readdirSync(dir, {withFileTypes: true})
    .filter((entry) => entry.isDirectory() && existsSync(path.join(dir, entry.name, 'sidecar.yaml')))
    .map((entry) => path.join(dir, entry.name, 'sidecar.yaml'));
}

// mulberry32: small, seeded, deterministic.
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const SNIPPETS = ['\t', '"', "'", '${', '$', '}', '{', '[', ']', ':', ': ', '- ', '#', '&a ', '*a', '!!str ', '!!binary ', '|', '>', '%', '@', '`', '?', ',', '\\', '\n', '\r\n', ' ', '  ', 'é', '\u0000', '\ufeff', '<<: ', '${volumes.', '${X:?', '${Y:-${Z', '$$', '---\n', '...\n'];
const SCALARS = ['null', '~', 'true', 'no', '123', '-5', '0', '65536', '1.5', '1e3', '0x1F', '[]', '{}', '[a, b]', '""', "''", '"${X}"', '${X}', '${UNSET:?boom}', '${volumes.data}', '${volumes.nope}', 'quoted', '2s', '1m30s', '-1s', 'SIGKILL', 'SIGNOPE', '"8080:8080"', '"99999:1"', 'data:/x:ro', '*a', '&a v', '!!binary aGVsbG8=', '| \n  block', '2024-01-01', '.inf', '[1, [2, [3]]]', '{a: {b: {c: 1}}}'];

type Mutation = (lines: string[], text: string, rand: () => number) => string;
const pick = <T>(items: readonly T[], rand: () => number): T => items[Math.floor(rand() * items.length)]!;
const line = (lines: string[], rand: () => number) => Math.floor(rand() * lines.length);

const MUTATIONS: Record<string, Mutation> = {
  deleteLine: (lines, _t, rand) => lines.toSpliced(line(lines, rand), 1).join('\n'),
  duplicateLine: (lines, _t, rand) => {
    const i = line(lines, rand);
    return lines.toSpliced(i, 0, lines[i]!).join('\n');
  },
  swapLines: (lines, _t, rand) => {
    const [i, j] = [line(lines, rand), line(lines, rand)];
    const out = [...lines];
    [out[i], out[j]] = [out[j]!, out[i]!];
    return out.join('\n');
  },
  insertChars: (_l, text, rand) => {
    const at = Math.floor(rand() * (text.length + 1));
    return text.slice(0, at) + pick(SNIPPETS, rand) + text.slice(at);
  },
  deleteChars: (_l, text, rand) => {
    const at = Math.floor(rand() * text.length);
    return text.slice(0, at) + text.slice(at + 1 + Math.floor(rand() * 4));
  },
  reindent: (lines, _t, rand) => {
    const i = line(lines, rand);
    const shift = Math.floor(rand() * 9) - 4;
    const current = lines[i]!;
    const out = [...lines];
    out[i] = shift >= 0 ? ' '.repeat(shift) + current : current.replace(new RegExp(`^ {0,${-shift}}`), '');
    return out.join('\n');
  },
  replaceScalar: (lines, _t, rand) => {
    const i = line(lines, rand);
    const out = [...lines];
    out[i] = lines[i]!.replace(/(:\s+|-\s+)[^#\n]*$/, (_m, lead: string) => lead + pick(SCALARS, rand));
    return out.join('\n');
  },
  replaceKey: (lines, _t, rand) => {
    const i = line(lines, rand);
    const out = [...lines];
    out[i] = lines[i]!.replace(/^(\s*-?\s*)([A-Za-z][\w-]*):/, (_m, lead: string, key: string) => `${lead}${rand() < 0.5 ? key.slice(1) : key + pick(['s', 'x', '_', 'A'], rand)}:`);
    return out.join('\n');
  },
  truncate: (_l, text, rand) => text.slice(0, Math.floor(rand() * text.length)),
};
const MUTATION_NAMES = Object.keys(MUTATIONS);

// What the rest of the code trusts a loaded Manifest for (graph.ts checks them).
function expectTrustworthy(manifest: Manifest, context: string): void {
  const services = allServices(manifest);
  // Ids are unique in the stack, names within a pod (several pods each have an `app`).
  expect(new Set(services.map((s) => s.id)).size, context).toBe(services.length);
  for (const pod of manifest.pods) {
    const names = services.filter((s) => s.pod === pod.name).map((s) => s.name);
    expect(new Set(names).size, context).toBe(names.length);
    for (const other of pod.after) expect(other !== pod.name && manifest.pods.some((p) => p.name === other), context).toBe(true);
  }
  // No cycle between pods: a start order holds every pod, each after the pods it is after.
  const order = podsInStartOrder(manifest).map((pod) => pod.name);
  expect(order.length, context).toBe(manifest.pods.length);
  for (const pod of manifest.pods) for (const other of pod.after) expect(order.indexOf(other) < order.indexOf(pod.name), context).toBe(true);
  for (const service of services) {
    for (const port of service.ports) {
      for (const n of [port.hostPort, port.containerPort]) expect(Number.isInteger(n) && n >= 1 && n <= 65535, context).toBe(true);
    }
    for (const ms of [service.stopTimeoutMs, service.health?.intervalMs ?? 0, service.health?.timeoutMs ?? 0, service.health?.startTimeoutMs ?? 0]) {
      expect(Number.isFinite(ms) && ms >= 0, context).toBe(true);
    }
    expect(service.image !== undefined || service.build !== undefined || service.command !== undefined || service.process.command !== undefined, context).toBe(true);
    for (const mount of service.volumes) if (mount.type === 'volume') expect(Object.hasOwn(manifest.volumes, mount.source), context).toBe(true);
    for (const dep of service.after) expect(services.some((s) => s.pod === service.pod && s.name === dep && s !== service), context).toBe(true);
  }
}

const work = mkdtempSync(path.join(tmpdir(), 'sidecar-fuzz-'));
afterAll(() => rmSync(work, {recursive: true, force: true}));

describe('manifest fuzz', () => {
  it(`${ITERATIONS} seeded mutations end in a Manifest or a placed SidecarError`, async () => {
    const bases = [path.join(rich, 'sidecar.yaml'), path.join(repo, 'test/fixtures/manifests/pods/shop.yaml'), ...exampleManifests()];
    const texts = bases.map((file) => readFileSync(file, 'utf8'));
    // Beside the manifest: the rich fixture's .env and env file, so both branches are reached.
    copyFileSync(path.join(rich, '.env'), path.join(work, '.env'));
    copyFileSync(path.join(rich, 'app.env'), path.join(work, 'app.env'));
    const file = path.join(work, 'sidecar.yaml');
    // Unmutated, every base loads: otherwise the fuzz would only exercise one error.
    for (const text of texts) {
      writeFileSync(file, text);
      await expect(loadManifest(file, {env: {STAGE: 'fuzz', X: 'x'}})).resolves.toBeDefined();
    }
    // A warning (e.g. yaml stringifying a collection key) means an input slipped past a check.
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    const rand = prng(SEED);
    const outcomes = {manifest: 0, invalid: 0};
    let slowest = 0;

    for (let i = 0; i < ITERATIONS; i++) {
      let text = pick(texts, rand);
      const steps = 1 + Math.floor(rand() * 3);
      const applied: string[] = [];
      for (let s = 0; s < steps; s++) {
        const name = pick(MUTATION_NAMES, rand);
        applied.push(name);
        text = MUTATIONS[name]!(text.split('\n'), text, rand);
      }
      writeFileSync(file, text);
      const started = performance.now();
      try {
        const manifest = await loadManifest(file, {env: {STAGE: 'fuzz', X: 'x'}});
        expectTrustworthy(manifest, `iteration ${i} (seed ${SEED}, ${applied.join(', ')}):\n${text}`);
        outcomes.manifest++;
      } catch (error) {
        const context = `iteration ${i} (seed ${SEED}, ${applied.join(', ')}):\n${text}`;
        if (!(error instanceof SidecarError)) throw new Error(`not a SidecarError at ${context}`, {cause: error});
        outcomes.invalid++;
        expect(error.exitCode, context).toBe(3);
        for (const problem of error.problems) {
          expect(problem.place, context).toBeDefined();
          expect(problem.place!.line, context).toBeGreaterThanOrEqual(1);
          expect(problem.place!.column, context).toBeGreaterThanOrEqual(1);
          expect(problem.place!.file, context).toBe(file);
          expect(problem.message, context).toMatch(/\S/);
          expect(problem.suggestion, context).toMatch(/\S/);
        }
      }
      slowest = Math.max(slowest, performance.now() - started);
    }
    process.off('warning', onWarning);
    expect(warnings).toEqual([]);
    // Both outcomes occur, so the mutations neither always break nor never break the file.
    expect(outcomes.manifest).toBeGreaterThan(0);
    expect(outcomes.invalid).toBeGreaterThan(0);
    // No input makes the loader crawl; a generous bound, this is not a benchmark.
    expect(slowest).toBeLessThan(10_000);
  // Generous: 3000 loads take ~25 s alone, several times that on a loaded 2-core machine.
  }, 300_000);
});
