import type {ContainerCreateOptions} from 'dockerode';
import {describe, expect, it} from 'vitest';
import {gatedSpec} from '../../../../src/runtime/docker/container-spec.js';
import type {GateFiles} from '../../../../src/runtime/docker/start-gate.js';

// start-gate.ts: the gated container runs what the engine would have run without
// the gate. The engine's rules: a container's Entrypoint replaces the image's and
// drops the image's Cmd; a container's Cmd alone keeps the image's Entrypoint.
const files: GateFiles = {dir: '/run/user/1/sidecar-gates-x/1', fifo: '/run/user/1/sidecar-gates-x/1/fifo'};
const image = {entrypoint: ['/docker-entrypoint.sh'], cmd: ['nginx', '-g', 'daemon off;']};
const base: ContainerCreateOptions = {Image: 'img', HostConfig: {NetworkMode: 'container:x', Binds: ['v:/data'], Init: true}};
const gate = ['/.sidecar-gate/gate', '/.sidecar-gate/fifo'];

describe('gatedSpec', () => {
  it("no command: the image's entrypoint and command, behind the gate", () => {
    const spec = gatedSpec(base, files, image)!;
    expect(spec.Entrypoint).toEqual([...gate, '/docker-entrypoint.sh', 'nginx', '-g', 'daemon off;']);
    expect(spec.Cmd).toBeUndefined();
  });

  it("a command (Cmd): after the image's entrypoint", () => {
    expect(gatedSpec({...base, Cmd: ['sh', '-c', 'x']}, files, image)!.Entrypoint).toEqual([...gate, '/docker-entrypoint.sh', 'sh', '-c', 'x']);
  });

  it("an Entrypoint (Kubernetes `command`): alone, the image's command dropped", () => {
    expect(gatedSpec({...base, Entrypoint: ['/bin/app']}, files, image)!.Entrypoint).toEqual([...gate, '/bin/app']);
  });

  it('nothing to run: not gated (the engine says why)', () => {
    expect(gatedSpec(base, files, {entrypoint: [], cmd: []})).toBeUndefined();
  });

  it('adds a read-only bind of the gate directory and keeps every other setting', () => {
    const spec = gatedSpec(base, files, image)!;
    expect(spec.HostConfig).toEqual({NetworkMode: 'container:x', Binds: ['v:/data'], Init: true, Mounts: [{Type: 'bind', Source: files.dir, Target: '/.sidecar-gate', ReadOnly: true}]});
    expect(spec.Image).toBe('img');
  });
});
