import {parseDocument} from 'yaml';
import {describe, expect, it} from 'vitest';
import {placeFragment, rebasePath} from '../../../src/scaffold/fragment-node.js';
import {addSidecar, STRINGIFY, usedNames} from '../../../src/scaffold/manifest-edit.js';

const place = (text: string, hasDockerfile = true) => placeFragment(text, {projectDir: './sidecars/edge', hasDockerfile, source: 'fragment.yaml'});

describe('rebasePath', () => {
  it.each([
    ['.', './sidecars/edge'],
    ['./config', './sidecars/edge/config'],
    ['src', './sidecars/edge/src'],
    ['/etc/x', '/etc/x'],
    ['~/x', '~/x'],
  ])('%s -> %s', (value, expected) => {
    expect(rebasePath('./sidecars/edge', value)).toBe(expected);
  });
});

describe('placeFragment', () => {
  it('adds build and workdir pointing at the project, after image and command', () => {
    const {node} = place('image: edge:dev\ncommand: [node, src/main.js]\nrestart: always\n');
    expect(node.items.map((pair) => String((pair.key as {value: unknown}).value))).toEqual(['image', 'build', 'command', 'workdir', 'restart']);
    expect(node.toJSON()).toMatchObject({build: './sidecars/edge', workdir: './sidecars/edge', command: ['node', 'src/main.js']});
  });

  it('rebases paths the fragment already has', () => {
    const {node, namedVolumes} = place(
      'build: {context: ., dockerfile: Dockerfile}\ncommand: [node, main.js]\nworkdir: ./app\nenvFile: [.env]\nprocess: {workdir: ./dev}\nvolumes: ["./config:/etc/app:ro", "logs:/var/log/app", "/abs:/abs"]\n',
    );
    expect(node.toJSON()).toMatchObject({
      build: {context: './sidecars/edge', dockerfile: 'Dockerfile'},
      workdir: './sidecars/edge/app',
      envFile: ['./sidecars/edge/.env'],
      process: {workdir: './sidecars/edge/dev'},
      volumes: ['./sidecars/edge/config:/etc/app:ro', 'logs:/var/log/app', '/abs:/abs'],
    });
    expect(namedVolumes).toEqual(['logs']);
  });

  it('declares volumes referenced as ${volumes.NAME} in env', () => {
    expect(place('command: [a]\nenv: {DIR: "${volumes.shared}/x", N: "${volumes.logs}"}\nvolumes: ["shared:/s"]\n').namedVolumes).toEqual(['shared', 'logs']);
  });

  it('adds no build when the template has no Dockerfile', () => {
    expect(place('command: [node, main.js]\n', false).node.has('build')).toBe(false);
  });

  it('refuses a fragment that is not a mapping', () => {
    expect(() => place('- a\n- b\n')).toThrow(expect.objectContaining({code: 'SIDECAR_SCAFFOLD_INVALID'}));
  });
});

describe('addSidecar', () => {
  const manifest = '# top\nversion: 1\napp:\n  command: [node, server.js] # the app\n\n# volumes\nvolumes:\n  logs: {}\n';

  it('creates sidecars: after app, keeping comments and order, and declares named volumes', () => {
    const doc = parseDocument(manifest);
    addSidecar(doc, 'edge', place('command: [node, main.js]\nvolumes: ["shared:/shared"]\n', false));
    expect(doc.toString(STRINGIFY)).toBe(
      '# top\nversion: 1\napp:\n  command: [node, server.js] # the app\n\nsidecars:\n  edge:\n    command: [node, main.js]\n    workdir: ./sidecars/edge\n    volumes: ["shared:/shared"]\n\n# volumes\nvolumes:\n  logs: {}\n  shared: {}\n',
    );
  });

  it('appends to an existing sidecars map and creates volumes: when missing', () => {
    const doc = parseDocument('version: 1\napp: {command: [a]}\nsidecars:\n  one: {command: [b]}\n');
    addSidecar(doc, 'two', place('command: [c]\nvolumes: ["logs:/l"]\n', false));
    expect(doc.toJSON()).toMatchObject({sidecars: {one: {}, two: {command: ['c']}}, volumes: {logs: {}}});
    expect(usedNames(doc)).toEqual(['app', 'one', 'two']);
  });

  it('refuses a name used by the app, a sidecar or an init job', () => {
    const doc = parseDocument('version: 1\napp: {command: [a]}\nsidecars: {one: {command: [b]}}\ninit: {migrate: {command: [m]}}\n');
    for (const name of ['app', 'one', 'migrate']) {
      expect(() => addSidecar(doc, name, place('command: [c]\n', false))).toThrow(expect.objectContaining({code: 'SIDECAR_SCAFFOLD_INVALID'}));
    }
  });
});
