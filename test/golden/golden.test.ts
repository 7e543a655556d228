import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {generateCase, GRAPH_FORMATS, graphCase, MANIFESTS, portable, ROOT, VARIANTS} from './cases.js';

// Golden files: test/golden/<manifest>.<variant>.yaml. Regenerate after an
// intended change with `npx vitest run test/golden -u` and review the diff.
describe('generated YAML matches the golden files', () => {
  for (const manifest of MANIFESTS) {
    for (const variant of VARIANTS) {
      it(`${manifest.name} ${variant.name}`, async () => {
        const {yaml} = await generateCase(manifest.file, variant);
        await expect(portable(yaml)).toMatchFileSnapshot(path.join(ROOT, 'test/golden', `${manifest.name}.${variant.name}.yaml`));
      });
    }
    for (const format of GRAPH_FORMATS) {
      it(`${manifest.name} graph ${format.extension}`, async () => {
        await expect(portable(await graphCase(manifest.file, format))).toMatchFileSnapshot(path.join(ROOT, 'test/golden', `${manifest.name}.graph.${format.extension}`));
      });
    }
  }
});

describe('generation is deterministic', () => {
  for (const manifest of MANIFESTS) {
    it(`${manifest.name}: two loads and generations give the same bytes`, async () => {
      for (const variant of VARIANTS) {
        const first = await generateCase(manifest.file, variant);
        const second = await generateCase(manifest.file, variant);
        expect(Buffer.from(second.yaml)).toEqual(Buffer.from(first.yaml));
        expect(second.losses).toEqual(first.losses);
        expect(first.yaml).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:/);
      }
    });
  }
});
