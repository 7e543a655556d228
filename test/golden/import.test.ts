import path from 'node:path';
import {beforeAll, describe, expect, it} from 'vitest';
import {planImport} from '../../src/import/import-file.js';
import {ROOT} from './cases.js';
import {IMPORT_CASES} from './import-cases.js';

// Issue 12.3: `sidecar import` of a corpus of real-world-shaped Kubernetes and
// compose files (test/fixtures/import). Golden: test/golden/import/<kind>-<fixture>.sidecar.yaml;
// regenerate after an intended change with `npx vitest run test/golden/import.test.ts -u`.
describe('sidecar import matches the golden files', () => {
  // A compose file's `~/` is the importing user's home: fixed, so the goldens are portable.
  beforeAll(() => {
    process.env.HOME = '/home/dev';
  });
  it('has a corpus of at least 10 Kubernetes and 5 compose files', () => {
    expect(IMPORT_CASES.filter((c) => c.kind === 'k8s').length).toBeGreaterThanOrEqual(10);
    expect(IMPORT_CASES.filter((c) => c.kind === 'compose').length).toBeGreaterThanOrEqual(5);
  });
  for (const c of IMPORT_CASES) {
    it(`${c.kind}/${c.name}`, async () => {
      const output = path.join(path.dirname(c.file), 'sidecar.yaml');
      const plan = planImport(path.relative(ROOT, c.file), output);
      expect(plan.from).toBe(c.kind === 'k8s' ? 'kubernetes' : 'compose');
      await expect(plan.yaml).toMatchFileSnapshot(path.join(ROOT, 'test/golden/import', `${c.kind}-${c.name}.sidecar.yaml`));
      // Deterministic: a second import gives the same bytes.
      expect(planImport(path.relative(ROOT, c.file), output).yaml).toBe(plan.yaml);
    });
  }
});
