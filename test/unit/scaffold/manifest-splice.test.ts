import {parseDocument} from 'yaml';
import {describe, expect, it} from 'vitest';
import {placeFragment} from '../../../src/scaffold/fragment-node.js';
import {addSidecar} from '../../../src/scaffold/manifest-edit.js';
import {spliceSidecar} from '../../../src/scaffold/manifest-splice.js';

const FRAGMENT = '# the shipper\ncommand: [node, main.js]\nvolumes: ["shared:/shared"]\n';

function splice(original: string, name = 'ship'): string | undefined {
  const doc = parseDocument(original);
  addSidecar(doc, name, placeFragment(FRAGMENT, {projectDir: `./sidecars/${name}`, hasDockerfile: false, source: 'fragment'}));
  return spliceSidecar(original, name, doc);
}

describe('spliceSidecar', () => {
  it('inserts into a file with odd spacing, folded scalars and 4-space indents without touching a byte of it', () => {
    const original = 'version: 1   # v\napp:\n    command: [node, server.js]     # spaced\n    env:\n        NOTE: >-\n            folded\n            text\n# tail\n';
    expect(splice(original)).toBe(
      `${'version: 1   # v\napp:\n    command: [node, server.js]     # spaced\n    env:\n        NOTE: >-\n            folded\n            text\n'}` +
        '\nsidecars:\n    ship:\n        # the shipper\n        command: [node, main.js]\n        workdir: ./sidecars/ship\n        volumes: ["shared:/shared"]\n' +
        '# tail\n\nvolumes:\n    shared: {}\n',
    );
  });

  it('appends to existing block sections at their indentation', () => {
    const original = 'version: 1\napp: {command: [a]}\nsidecars:\n   one:\n      command: [b]   # x\n\nvolumes:\n   logs: {}   # keep\n';
    expect(splice(original)).toBe(
      'version: 1\napp: {command: [a]}\nsidecars:\n   one:\n      command: [b]   # x\n' +
        '\n   ship:\n      # the shipper\n      command: [node, main.js]\n      workdir: ./sidecars/ship\n      volumes: ["shared:/shared"]\n' +
        '\nvolumes:\n   logs: {}   # keep\n   shared: {}\n',
    );
  });

  it('does not redeclare a volume that exists', () => {
    const text = splice('version: 1\napp:\n  command: [a]\nvolumes:\n  shared: {}\n')!;
    expect(text.match(/shared: \{\}/g)).toHaveLength(1);
  });

  it.each([
    ['flow sidecars', 'version: 1\napp: {command: [a]}\nsidecars: {one: {command: [b]}}\n'],
    ['empty sidecars', 'version: 1\napp: {command: [a]}\nsidecars:\n'],
    ['flow volumes', 'version: 1\napp: {command: [a]}\nvolumes: {}\n'],
  ])('leaves %s to the Document API', (_what, original) => {
    expect(splice(original)).toBeUndefined();
  });
});
