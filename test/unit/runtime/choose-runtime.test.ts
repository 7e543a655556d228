import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {describe, expect, it} from 'vitest';
import {chooseRuntime, decideRuntime, notRunnableAsProcess} from '../../../src/runtime/resolve-runtime.js';
import {manifest, podsByName, service} from '../../helpers/manifest-builder.js';

const both = manifest({app: service('app', 'app', {image: 'x', command: ['node', 'a.js']}), sidecars: [service('proxy', 'sidecar', {image: 'y', command: ['node', 'p.js']})]});
const commandsOnly = manifest({app: service('app', 'app', {command: ['node', 'a.js']})});
const imagesOnly = manifest({app: service('app', 'app', {image: 'x'})});
const up = async () => ({ok: true, where: 'Docker 27.1.0 at unix:///var/run/docker.sock'});
const down = async () => ({ok: false, where: 'no Docker engine answers at unix:///var/run/docker.sock: connection refused'});

// DESIGN "Runtimes": auto = Docker when an engine answers and every service has
// an image or build, else processes when every service has a command, else exit 4.
describe('chooseRuntime', () => {
  it('auto picks docker when an engine answers and every service has an image', async () => {
    expect(await chooseRuntime(both, 'auto', up)).toBe('docker');
  });

  it('auto falls back to processes without an engine, or when a service has no image', async () => {
    expect(await chooseRuntime(both, 'auto', down)).toBe('process');
    expect(await chooseRuntime(commandsOnly, 'auto', up)).toBe('process');
  });

  it('auto with neither a usable engine nor commands is exit 4, saying what is missing', async () => {
    await expect(chooseRuntime(imagesOnly, 'auto', down)).rejects.toMatchObject({code: 'SIDECAR_RUNTIME_UNAVAILABLE', exitCode: 4, message: expect.stringContaining('app')});
  });

  it('--runtime docker without an engine is exit 4 at once, with a hint', async () => {
    await expect(chooseRuntime(both, 'docker', down)).rejects.toMatchObject({code: 'SIDECAR_RUNTIME_UNAVAILABLE', exitCode: 4, suggestion: expect.stringContaining('--runtime process')});
  });

  it('--runtime process refuses services without a command (exit 4)', async () => {
    await expect(chooseRuntime(imagesOnly, 'process', up)).rejects.toMatchObject({exitCode: 4, message: expect.stringContaining('no command')});
  });
});

// Issue 8.7: auto fell back to processes silently, then ran image paths on the host.
describe('decideRuntime (auto): fall back to processes only when every service runs on this host', () => {
  const inImage = manifest({app: service('app', 'app', {image: 'node:20', command: ['/app/server.js']}), sidecars: [service('proxy', 'sidecar', {image: 'envoy', command: ['envoy']})]});
  const overridden = manifest({app: service('app', 'app', {image: 'node:20', command: ['/app/server.js'], process: {command: ['node', 'server.js'], env: {}}})});
  const relative = manifest({app: service('app', 'app', {image: 'x', command: ['./bin/run.js'], workdir: path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')})});

  it('says why it chose docker or processes', async () => {
    expect(await decideRuntime(both, 'auto', up)).toEqual({kind: 'docker', reason: 'Docker 27.1.0 at unix:///var/run/docker.sock answers and every service has an image or build'});
    expect(await decideRuntime(both, 'auto', down)).toEqual({kind: 'process', reason: expect.stringMatching(/^no Docker engine answers at .+, and every service's command runs on this host$/)});
    expect(await decideRuntime(commandsOnly, 'auto', up)).toMatchObject({kind: 'process', reason: expect.stringContaining('app has no image')});
  });

  it('an explicit --runtime needs no reason', async () => {
    expect(await decideRuntime(both, 'docker', up)).toEqual({kind: 'docker'});
    expect(await decideRuntime(both, 'process', up)).toEqual({kind: 'process'});
  });

  it('without an engine, a command that exists only in the image is exit 4 naming the engine address and the service', async () => {
    const failure = decideRuntime(inImage, 'auto', down);
    await expect(failure).rejects.toMatchObject({code: 'SIDECAR_RUNTIME_UNAVAILABLE', exitCode: 4});
    const error = (await failure.catch((e: unknown) => e)) as {message: string; suggestion: string};
    expect(error.message).toContain('no Docker engine answers at unix:///var/run/docker.sock: connection refused');
    expect(error.message).toContain(`app's command "/app/server.js" is not on this host (it is in the image node:20)`);
    expect(error.message).toContain(`proxy's command "envoy" is not on this host`);
    expect(error.suggestion).toMatch(/start Docker .*process: \{command/);
  });

  it('a process: override, or an executable relative to workdir or on PATH, can run as a process', async () => {
    expect((await decideRuntime(overridden, 'auto', down)).kind).toBe('process');
    expect((await decideRuntime(relative, 'auto', down)).kind).toBe('process');
    expect(notRunnableAsProcess(service('a', 'app', {command: ['node']}))).toBeUndefined();
    expect(notRunnableAsProcess(service('a', 'app', {command: ['no-such-program-here']}))).toMatch(/is not on this host/);
    expect(notRunnableAsProcess(service('a', 'app', {command: ['./no-such.js'], workdir: '/'}))).toMatch(/is not on this host/);
  });
});

// Found by a new user's trial: `runtime: process (ingress, app, egress, app have no
// image or build ...)` named two pods' apps alike. Every message names POD/SERVICE.
describe('decideRuntime with pods: services named with their pod', () => {
  const pods = (app: Partial<ReturnType<typeof service>>, sidecar: Partial<ReturnType<typeof service>>) =>
    podsByName({pods: {front: {app: service('app', 'app', app), sidecars: [service('ingress', 'sidecar', sidecar)]}, back: {app: service('app', 'app', app)}}});

  it('in the reason for processes', async () => {
    const decision = await decideRuntime(pods({command: ['node']}, {command: ['node']}), 'auto', up);
    expect(decision.reason).toBe("front/ingress, front/app, back/app have no image or build, and every service's command runs on this host");
  });

  it('in the refusals of --runtime process and docker, and of auto', async () => {
    await expect(decideRuntime(pods({image: 'x'}, {image: 'y'}), 'process', up)).rejects.toThrow('the process runtime cannot run front/ingress, front/app, back/app: they have no command');
    await expect(decideRuntime(pods({command: ['node']}, {image: 'y'}), 'docker', up)).rejects.toThrow('the docker runtime cannot run front/app, back/app: they have no image or build');
    const failure = (await decideRuntime(pods({image: 'x', command: ['/app/server.js']}, {command: ['node']}), 'auto', down).catch((e: unknown) => e)) as Error;
    expect(failure.message).toContain(`front/app's command "/app/server.js" is not on this host (it is in the image x); back/app's command "/app/server.js"`);
    const noCommand = (await decideRuntime(pods({command: ['node']}, {image: 'y'}), 'auto', down).catch((e: unknown) => e)) as Error;
    expect(noCommand.message).toContain('front/ingress has no command');
  });
});
