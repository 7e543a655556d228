import {mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';
import {afterAll, beforeAll, expect, it} from 'vitest';
import {cli, ensureBuilt, eventually, project, type Project} from '../cli/cli-harness.js';
import {describeDocker, TEST_IMAGES} from './docker-engine.js';

// Issue 11.7: watch `sync` goes through a receiver kept open in the container
// (`sh`, `head`, `tar`), and through the engine's archive endpoint where there is
// none. Either way every save lands: in an image without a shell, and after the
// receiver died between two saves.
const docker = new Docker();
const name = `wsch-${Date.now().toString(36)}`;
let p: Project;

const at = (relative: string): string => path.join(p.dir, relative);
const cat = async (service: string, file: string): Promise<string> => (await cli(p, ['exec', service, 'cat', file])).stdout.trim();

describeDocker('watch sync through the receiver, and without one', () => {
  beforeAll(async () => {
    ensureBuilt();
    p = project(`version: 1
name: ${name}
app:
  image: ${TEST_IMAGES.busybox}
  command: [sleep, "300"]
  stopTimeout: 1s
  watch: [{path: ./a, action: sync, target: /data}]
sidecars:
  bare:
    build: {context: ./bare}
    command: [sleep, "300"]
    stopTimeout: 1s
    watch: [{path: ./b, action: sync, target: /data}]
`);
    p.env = {...p.env, SIDECAR_INFRA_IMAGE: process.env.SIDECAR_INFRA_IMAGE ?? TEST_IMAGES.pause};
    mkdirSync(at('a'));
    mkdirSync(at('b'));
    mkdirSync(at('bare'));
    // No shell in the image: no receiver can run there.
    writeFileSync(at('bare/Dockerfile'), `FROM ${TEST_IMAGES.busybox}\nRUN rm /bin/sh\n`);
    writeFileSync(at('a/m.txt'), 'a0');
    writeFileSync(at('b/m.txt'), 'b0');
  }, 120_000);

  afterAll(async () => {
    if (!p) return;
    await cli(p, ['down', '--timeout', '1s']);
    for (const image of await docker.listImages({filters: {reference: [`${name}-*`]}})) await docker.getImage(image.Id).remove({force: true}).catch(() => {});
  });

  it('every save lands, in an image with a shell and in one without', async () => {
    const up = await cli(p, ['up', '--wait', '--watch', '--runtime', 'docker']);
    expect(up.exitCode, up.all).toBe(0);
    expect(await cat('app', '/data/m.txt')).toBe('a0');
    expect(await cat('bare', '/data/m.txt')).toBe('b0');
    for (let i = 1; i <= 4; i++) {
      writeFileSync(at('a/m.txt'), `a${i}`);
      writeFileSync(at('b/m.txt'), `b${i}`);
      await eventually(async () => (await cat('app', '/data/m.txt')) === `a${i}`, 30_000, `save ${i} in the app`);
      await eventually(async () => (await cat('bare', '/data/m.txt')) === `b${i}`, 30_000, `save ${i} in the shell-less sidecar`);
    }
  }, 180_000);

  it('the receiver killed between two saves: the next saves land all the same', async () => {
    // `[e]cho`: the killing shell's own command line does not match itself.
    const kill = 'n=0; for d in /proc/[0-9]*; do if tr "\\0" " " < $d/cmdline 2>/dev/null | grep -q "[e]cho ready"; then kill ${d#/proc/} && n=$((n+1)); fi; done; echo killed $n';
    const killed = await cli(p, ['exec', 'app', '--', 'sh', '-c', kill]);
    expect(killed.stdout.trim(), killed.all).toBe('killed 1');
    for (let i = 5; i <= 7; i++) {
      writeFileSync(at('a/m.txt'), `a${i}`);
      await eventually(async () => (await cat('app', '/data/m.txt')) === `a${i}`, 30_000, `save ${i} in the app`);
    }
  }, 120_000);
});
