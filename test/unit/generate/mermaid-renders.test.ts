import path from 'node:path';
import {beforeAll, describe, expect, it} from 'vitest';
import {topology} from '../../../src/generate/graph-model.js';
import {renderMermaid} from '../../../src/generate/graph-mermaid.js';
import {loadManifest} from '../../../src/manifest/load.js';

// Issue 14.4: `graph`'s mermaid must render where users paste it (GitHub
// markdown runs mermaid 11): parsed here by mermaid's own `mermaid.parse`.
// Mermaid sanitises labels with DOMPurify, which needs a browser DOM; the labels'
// HTML safety is not under test, so DOMPurify passes text through.
let parse: (text: string) => Promise<unknown>;
const root = path.resolve(import.meta.dirname, '../../..');

beforeAll(async () => {
  // The ES module build, the one mermaid imports (a dependency of mermaid, hoisted).
  const purify = (await import('dompurify')).default as unknown as Record<string, unknown>;
  Object.assign(purify, {addHook() {}, removeHook() {}, removeHooks() {}, sanitize: (text: string) => text});
  const mermaid = (await import('mermaid')).default;
  parse = (text) => mermaid.parse(text);
}, 60_000);

const manifests = ['examples/quickstart/sidecar.yaml', 'examples/docker-web/sidecar.yaml', 'test/fixtures/manifests/rich/sidecar.yaml', 'test/fixtures/manifests/valid/probes.yaml', 'test/fixtures/manifests/pods/shop.yaml'];

describe('graph --format mermaid renders with mermaid 11', () => {
  it('rejects a broken flowchart (the check can fail)', async () => {
    await expect(parse('flowchart LR\n  a --> b[[x')).rejects.toThrow(/Parse error on line \d+:[\s\S]*Expecting/);
  });

  it.each(manifests)('%s parses as a flowchart', async (file) => {
    const source = renderMermaid(topology(await loadManifest(path.join(root, file), {env: {}})));
    await expect(parse(source)).resolves.toMatchObject({diagramType: 'flowchart-v2'});
  });
});
