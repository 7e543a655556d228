import Docker from 'dockerode';
import {afterEach, expect, it} from 'vitest';
import {DockerRuntime} from '../../../src/runtime/docker/index.js';
import type {LogLine} from '../../../src/runtime/types.js';
import {manifest, service} from '../../helpers/manifest-builder.js';
import {describeDocker, tempProject, TEST_IMAGES, until} from './docker-engine.js';

const docker = new Docker();
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// DESIGN: `${volumes.NAME}` is the mount path inside a container, wherever the
// manifest allows it (env values and command arguments), as the generators do.
describeDocker('${volumes.NAME} under the Docker runtime', () => {
  it('expands in command arguments as in env: the container gets the mount path', async () => {
    const {dir, name} = tempProject();
    const m = manifest({
      name,
      dir,
      volumes: ['data'],
      app: service('app', 'app', {
        image: TEST_IMAGES.busybox,
        volumes: [{type: 'volume', source: 'data', target: '/data', readOnly: false}],
        env: {DATA_DIR: '${volumes.data}'},
        command: ['sh', '-c', 'ls -d ${volumes.data} && echo "env=$DATA_DIR"; sleep 300'],
      }),
    });
    const runtime = new DockerRuntime();
    const logs: LogLine[] = [];
    cleanups.push(() => runtime.teardown(m, {removeVolumes: true}));
    await runtime.prepare(m, {log: (line) => logs.push(line)});
    const unit = await runtime.start(m.pods[0]!.app);
    const info = await docker.getContainer(unit.identity.kind === 'docker' ? unit.identity.containerId : '').inspect();
    expect(info.Config.Cmd).toEqual(['sh', '-c', 'ls -d /data && echo "env=$DATA_DIR"; sleep 300']);
    expect(info.Config.Env).toContain('DATA_DIR=/data');
    await until('the app lists the mount and prints its env', () => logs.some((l) => l.line.includes('env=/data')) || undefined);
    expect(logs.map((l) => l.line)).toContain('/data');
    await runtime.kill(unit);
  });
});
