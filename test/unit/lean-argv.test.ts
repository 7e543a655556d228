import {describe, expect, it} from 'vitest';
import {leanCommand} from '../../src/lean-argv.js';
import {prespawnTarget} from '../../src/host/prespawn.js';

// Issue 13.1: only plain `up -d`/`up --wait`/`down` skip oclif; every other form
// goes to oclif, which parses, refuses and explains as ever.
describe('leanCommand', () => {
  it('reads the plain forms of up and down', () => {
    expect(leanCommand(['up', '--wait', '--runtime', 'process', '-f', 'a/sidecar.yaml'], {})).toEqual({
      command: 'up',
      flags: {file: 'a/sidecar.yaml', runtime: 'process', detach: false, wait: true, build: false, watch: false, json: false},
      words: [],
    });
    expect(leanCommand(['up', '-d', '--json', '--timeout=30s', 'orders/app', 'proxy', '--file=x.yaml'], {})).toEqual({
      command: 'up',
      flags: {file: 'x.yaml', runtime: 'auto', detach: true, wait: false, build: false, watch: false, json: true, timeout: '30s'},
      words: ['orders/app', 'proxy'],
    });
    expect(leanCommand(['down', '--volumes', '--timeout', '5s'], {})).toEqual({command: 'down', flags: {file: 'sidecar.yaml', volumes: true, json: false, timeout: '5s'}});
  });

  it('reads the plain forms of validate (issue 2.10: its start-up)', () => {
    expect(leanCommand(['validate'], {})).toEqual({command: 'validate', flags: {file: 'sidecar.yaml', json: false}});
    expect(leanCommand(['validate', '--json', '-f', 'a/sidecar.yaml'], {SIDECAR_FILE: 'env.yaml'})).toEqual({command: 'validate', flags: {file: 'a/sidecar.yaml', json: true}});
    expect(leanCommand(['validate'], {SIDECAR_FILE: 'env.yaml'})).toEqual({command: 'validate', flags: {file: 'env.yaml', json: false}});
  });

  it('takes SIDECAR_FILE and SIDECAR_RUNTIME as oclif does, a flag first', () => {
    const env = {SIDECAR_FILE: 'env.yaml', SIDECAR_RUNTIME: 'docker'};
    expect(leanCommand(['up', '--wait'], env)).toMatchObject({flags: {file: 'env.yaml', runtime: 'docker'}});
    expect(leanCommand(['up', '--wait', '-f', 'flag.yaml', '--runtime', 'process'], env)).toMatchObject({flags: {file: 'flag.yaml', runtime: 'process'}});
  });

  it('leaves everything else to oclif', () => {
    const others = [
      ['up'],
      ['up', '--watch'],
      ['up', '-d', '--help'],
      ['up', '-d', '-h'],
      ['up', '-d', '--wait', '--wait'],
      ['up', '-d', '-f'],
      ['up', '-d', '-f', '--wait'],
      ['up', '-d', '-fsidecar.yaml'],
      ['up', '-dw'],
      ['up', '-d', '--runtime', 'podman'],
      ['up', '-d', '--wait=true'],
      ['up', '-d', '--file='],
      ['up', '-d', '--', 'x'],
      ['up', '-d', '--nope'],
      ['down', 'app'],
      ['down', '-v'],
      ['validate', 'x.yaml'],
      ['validate', '--help'],
      ['validate', '--timeout', '5s'],
      ['ps'],
      [],
    ];
    for (const argv of others) expect(leanCommand(argv, {}), argv.join(' ')).toBeUndefined();
    expect(leanCommand(['up', '-d'], {SIDECAR_RUNTIME: 'nope'})).toBeUndefined();
    expect(leanCommand(['up', '-d'], {SIDECAR_FILE: ''})).toBeUndefined();
  });
});

describe('prespawnTarget', () => {
  it('names the manifest of an up that leaves a detached supervisor, and nothing else', () => {
    expect(prespawnTarget(['up', '--wait', '-f', 'p/sidecar.yaml'], {})).toBe('p/sidecar.yaml');
    expect(prespawnTarget(['up', '-d'], {SIDECAR_FILE: 'e.yaml'})).toBe('e.yaml');
    expect(prespawnTarget(['up'], {})).toBeUndefined();
    expect(prespawnTarget(['up', '--wait', '--help'], {})).toBeUndefined();
    expect(prespawnTarget(['down'], {})).toBeUndefined();
  });
});
