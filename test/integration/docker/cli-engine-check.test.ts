import {existsSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {execa} from 'execa';
import {afterAll, beforeAll, expect, it} from 'vitest';
import {ensureBuilt, project, root, type Project} from '../cli/cli-harness.js';
import {describeDocker, TEST_IMAGES} from './docker-engine.js';

// Issue 13.2: `up --runtime docker` asks whether an engine answers before the
// detached supervisor takes over. Through node:http that first request cost the
// CLI ~12 ms (the module, its agent, its header checks) on the way to the
// hand-over; over the unix socket it is a plain HTTP/1.1 exchange now.
let p: Project;
const SERVE = JSON.stringify(['sh', '-c', 'trap "exit 0" TERM INT; while :; do sleep 3600 & wait $$!; done']);

describeDocker('the CLI asks for the engine without node:http', () => {
  beforeAll(() => {
    ensureBuilt();
    p = project(['version: 1', 'name: engine-check', 'app:', `  image: ${TEST_IMAGES.busybox}`, `  command: ${SERVE}`, ''].join('\n'));
  });
  afterAll(async () => {
    await execa(process.execPath, [path.join(root, 'bin/run.js'), 'down'], {reject: false, cwd: p.dir, env: p.env});
  });

  it('up --wait --runtime docker brings the stack up, and its CLI process never loads node:http', async () => {
    const seen = path.join(p.dir, 'builtins.json');
    const hook = path.join(p.dir, 'builtins-hook.cjs');
    // Only the CLI's own process (bin/run.js), not the supervisor it starts.
    writeFileSync(hook, `if (process.argv[1] && process.argv[1].endsWith('run.js')) process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(seen)}, JSON.stringify(process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')))));\n`);
    const up = await execa(process.execPath, [path.join(root, 'bin/run.js'), 'up', '--wait', '--runtime', 'docker'], {reject: false, cwd: p.dir, env: {...p.env, SIDECAR_INFRA_IMAGE: TEST_IMAGES.pause, NODE_OPTIONS: `--require ${hook}`}, all: true});
    expect(up.exitCode, up.all).toBe(0);
    expect(existsSync(seen)).toBe(true);
    const builtins = JSON.parse(readFileSync(seen, 'utf8')) as string[];
    expect(builtins).toContain('NativeModule net');
    expect(builtins.filter((m) => /^NativeModule (http|https|_http_\w+)$/.test(m))).toEqual([]);
  });
});
