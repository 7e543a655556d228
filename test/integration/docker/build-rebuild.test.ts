import {mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';
import {afterEach, expect, it} from 'vitest';
import type {Manifest} from '../../../src/manifest/types.js';
import {DockerRuntime} from '../../../src/runtime/docker/index.js';
import type {LogLine} from '../../../src/runtime/types.js';
import {manifest, service} from '../../helpers/manifest-builder.js';
import {describeDocker, tempProject, TEST_IMAGES} from './docker-engine.js';

// Issue 8.5: a changed Dockerfile, build context or build.args never triggered
// a rebuild; `--build` was honoured by foreground `up` only (the CLI side is in
// test/integration/docker/build-flag-cli.test.ts).
const docker = new Docker();
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function project(): {m: (args?: Record<string, string>) => Manifest; context: string; image: string} {
  const {dir, name} = tempProject('scb');
  const context = path.join(dir, 'app');
  mkdirSync(path.join(context, 'node_modules'), {recursive: true});
  writeFileSync(path.join(context, 'Dockerfile'), `FROM ${TEST_IMAGES.busybox}\nARG GREETING=hello\nCOPY msg /msg\nRUN echo "$GREETING" > /greeting\nCMD ["sh", "-c", "echo $(cat /greeting) $(cat /msg)"]\n`);
  writeFileSync(path.join(context, '.dockerignore'), 'node_modules\n');
  writeFileSync(path.join(context, 'msg'), 'one');
  writeFileSync(path.join(context, 'node_modules', 'dep.js'), '1');
  const image = `${name}-app:latest`;
  cleanups.push(async () => {
    await docker.getImage(image).remove({force: true}).catch(() => {});
  });
  return {m: (args = {}) => manifest({name, dir, app: service('app', 'app', {build: {context, dockerfile: 'Dockerfile', args}})}), context, image};
}

// One `up` worth of runtime: prepare, run the app once; what it printed and whether it built.
async function upOnce(m: Manifest, options: {forceBuild?: boolean} = {}): Promise<{built: boolean; output: string; imageId: string}> {
  let built = false;
  const runtime = new DockerRuntime({...options, onImageProgress: (p) => (built ||= p.action === 'build' && p.phase === 'done')});
  const logs: LogLine[] = [];
  try {
    await runtime.prepare(m, {log: (line) => logs.push(line)});
    const unit = await runtime.start(m.pods[0]!.app);
    await unit.exited;
    return {built, output: logs.map((l) => l.line).join('\n'), imageId: (await docker.getImage(`${m.name}-app:latest`).inspect()).Id};
  } finally {
    await runtime.teardown(m, {removeVolumes: true});
  }
}

describeDocker('Docker builds follow their inputs', () => {
  it('rebuilds when a context file, the Dockerfile or a build arg changed, not when an ignored file did', async () => {
    const {m, context} = project();
    const first = await upOnce(m());
    expect(first).toMatchObject({built: true, output: 'hello one'});
    expect((await upOnce(m())).built).toBe(false);

    writeFileSync(path.join(context, 'node_modules', 'dep.js'), '2');
    expect((await upOnce(m())).built).toBe(false);

    writeFileSync(path.join(context, 'msg'), 'two');
    const changed = await upOnce(m());
    expect(changed).toMatchObject({built: true, output: 'hello two'});
    expect(changed.imageId).not.toBe(first.imageId);

    expect(await upOnce(m({GREETING: 'hi'}))).toMatchObject({built: true, output: 'hi two'});

    writeFileSync(path.join(context, 'Dockerfile'), `FROM ${TEST_IMAGES.busybox}\nCOPY msg /msg\nCMD ["sh", "-c", "echo dockerfile $(cat /msg)"]\n`);
    expect(await upOnce(m({GREETING: 'hi'}))).toMatchObject({built: true, output: 'dockerfile two'});
  }, 180_000);

  it('rebuilds an unchanged context with forceBuild (--build)', async () => {
    const {m} = project();
    await upOnce(m());
    expect((await upOnce(m())).built).toBe(false);
    expect((await upOnce(m(), {forceBuild: true})).built).toBe(true);
  }, 120_000);
});
