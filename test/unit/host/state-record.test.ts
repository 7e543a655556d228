import {describe, expect, it} from 'vitest';
import {stateRecordOf} from '../../../src/host/state-file.js';

// An edited or damaged .sidecar/state.json (an attacker's trial: `ports: "x"` made
// `ps` fail as a bug) is read as far as it holds what a supervisor writes.
const service = {name: 'app', role: 'app', state: 'running', health: 'none', restarts: 0, pid: 10, containerId: null, exitCode: null, ports: []};
const record = {project: 'p', runtime: 'process', manifestFile: '/x/sidecar.yaml', updatedAt: 1, phase: 'ready', services: [service], identities: []};

describe('stateRecordOf', () => {
  it('keeps a record as a supervisor writes it', () => {
    const identity = {kind: 'process', pid: 10, pgid: 10, startTime: '5', bootId: 'b', runId: 'r'};
    const full = {...record, runId: 'r', identities: [identity], services: [{...service, identity, ports: [{hostIp: '127.0.0.1', hostPort: 80, containerPort: 8080, protocol: 'tcp'}]}]};
    expect(stateRecordOf(JSON.parse(JSON.stringify(full)))).toEqual(full);
  });

  it('is nothing for what is not a record (so readers fall back as for a missing file)', () => {
    for (const raw of [null, 3, 'x', [], {}, {...record, services: 'x'}, {...record, runtime: 'kubernetes'}, {...record, project: 7}]) expect(stateRecordOf(raw), JSON.stringify(raw)).toBeUndefined();
  });

  it('leaves out a service or identity of another shape, and gives a field of another type its empty value', () => {
    const got = stateRecordOf({
      ...record,
      phase: 'exploded',
      services: [{...service, ports: 'x', pid: 'me', restarts: -1, state: 'dancing'}, 'x', {state: 'running'}, {...service, name: 'b', ports: [[[[]]], {hostIp: 1}]}],
      identities: [{kind: 'process', pid: '1'}, {kind: 'docker'}, {kind: 'process', pid: 2, pgid: 2, startTime: '9', deep: [[[[]]]]}],
    })!;
    expect(got.phase).toBe('done');
    expect(got.services.map((s) => s.name)).toEqual(['app', 'b']);
    expect(got.services[0]).toMatchObject({ports: [], pid: null, restarts: 0, state: 'exited'});
    expect(got.services[1]!.ports).toEqual([]);
    expect(got.identities).toEqual([{kind: 'process', pid: 2, pgid: 2, startTime: '9'}]);
  });
});
