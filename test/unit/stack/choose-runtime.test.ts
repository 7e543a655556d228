import {describe, expect, it} from 'vitest';
import {chooseRuntime} from '../../../src/stack/resolve-runtime.js';
import {manifest, service} from '../../helpers/manifest-builder.js';

const both = manifest({app: service('app', 'app', {image: 'x', command: ['node', 'a.js']}), sidecars: [service('proxy', 'sidecar', {image: 'y', command: ['node', 'p.js']})]});
const commandsOnly = manifest({app: service('app', 'app', {command: ['node', 'a.js']})});
const imagesOnly = manifest({app: service('app', 'app', {image: 'x'})});
const up = async () => true;
const down = async () => false;

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
