import {mkdtempSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, expect, it} from 'vitest';
import {cli, ensureBuilt, project, type Project} from '../cli/cli-harness.js';
import {describeDocker, TEST_IMAGES} from './docker-engine.js';

// Issue 13.2: the detached supervisor of a Docker stack loads dockerode from its
// own bundle (dist/bundle/dockerode.cjs, with a V8 code cache: ~10 ms instead of
// 35-65 ms), not module by module from node_modules. A hook loaded into every
// Node process of the command writes, as the supervisor exits, which files of
// dockerode and docker-modem it loaded through require.
const marks = mkdtempSync(path.join(os.tmpdir(), 'sidecar-dockerode-bundle-'));
const hook = path.join(marks, 'hook.mjs');
writeFileSync(
  hook,
  `import {writeFileSync} from 'node:fs';
import {createRequire} from 'node:module';
const require = createRequire(import.meta.url);
if (process.argv.some((a) => a.endsWith('supervisor.js'))) {
  process.on('exit', () => writeFileSync(${JSON.stringify(marks)} + '/supervisor-' + process.pid + '.json', JSON.stringify(Object.keys(require.cache).filter((f) => /[\\\\/]node_modules[\\\\/](dockerode|docker-modem)[\\\\/]/.test(f)))));
}
`,
);
let p: Project;

describeDocker('the detached supervisor loads dockerode from its bundle', () => {
  beforeAll(() => {
    ensureBuilt();
    p = project(`version: 1
name: dockerode-bundle-${Date.now().toString(36)}
app:
  image: ${TEST_IMAGES.busybox}
  command: [sh, -c, 'trap "exit 0" TERM; while :; do sleep 1; done']
  stopTimeout: 1s
`);
    p.env = {...p.env, SIDECAR_INFRA_IMAGE: process.env.SIDECAR_INFRA_IMAGE ?? TEST_IMAGES.pause, NODE_OPTIONS: `--import ${hook}`};
  }, 120_000);
  afterAll(async () => {
    if (p) await cli(p, ['down', '--timeout', '1s']);
  });

  it('brings a Docker stack up and down without loading dockerode or docker-modem from node_modules', async () => {
    const up = await cli(p, ['up', '--wait', '--runtime', 'docker']);
    expect(up.exitCode, up.all).toBe(0);
    const down = await cli(p, ['down']);
    expect(down.exitCode, down.all).toBe(0);
    // `down` returns once the supervisor is gone: its exit hook has written.
    const written = readdirSync(marks).filter((f) => f.startsWith('supervisor-'));
    expect(written).toHaveLength(1);
    expect(JSON.parse(readFileSync(path.join(marks, written[0]!), 'utf8'))).toEqual([]);
  }, 120_000);
});
