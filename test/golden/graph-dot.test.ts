import {spawnSync} from 'node:child_process';
import {describe, expect, it} from 'vitest';
import {findOnPath} from '../../src/doctor/tools.js';
import {GRAPH_FORMATS, graphCase, MANIFESTS} from './cases.js';

// The real reader: Graphviz's dot must draw every `sidecar graph --format dot`
// without a warning (a cluster edge dot cannot clip warns and is drawn wrong).
// .ci/engines.sh installs graphviz: without it locally the suite says so and skips; in CI (CI=true) it must run.
const dot = findOnPath('dot', process.env.PATH ?? '');
const available = dot !== undefined || process.env.CI === 'true';
if (!available) console.warn('graph-dot: Graphviz `dot` is not on PATH; skipped (apt-get install graphviz). In CI this fails instead.');
const format = GRAPH_FORMATS.find((f) => f.extension === 'dot')!;

describe.skipIf(!available)('Graphviz draws every generated graph', () => {
  for (const manifest of MANIFESTS) {
    it(manifest.name, async () => {
      expect(dot, 'Graphviz dot must be on PATH').toBeDefined();
      const result = spawnSync(dot!, ['-Tsvg'], {input: await graphCase(manifest.file, format), encoding: 'utf8', timeout: 60_000});
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(result.stdout).toContain('<svg');
    });
  }
});
