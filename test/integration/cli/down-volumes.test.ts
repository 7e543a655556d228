import {existsSync, mkdirSync, symlinkSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {beforeAll, describe, expect, it} from 'vitest';
import {cli, ensureBuilt, project, root as repoRoot} from './cli-harness.js';

// Compose's `down -v` under the process runtime: the named volumes' directories
// under .sidecar/volumes go whether or not a stack runs; external ones stay,
// and nothing is deleted through a symlink.
beforeAll(() => ensureBuilt(), 120_000);

const yaml = `version: 1
name: downv
volumes:
  data: {}
  ext: {external: true}
app:
  command: [node, \${PROGRAMS}/forever.js]
  env: {SIDECAR_TEST_MARK: "\${MARK}", DATA: "\${volumes.data}"}
  volumes: ["data:/data", "ext:/ext"]
  stopTimeout: 1s
`;

describe('down --volumes with no stack running (process runtime)', () => {
  it('removes the named volume directories, keeps the external one', async () => {
    const p = project(yaml);
    const volumes = path.join(p.dir, '.sidecar', 'volumes');
    expect((await cli(p, ['up', '--wait', '--runtime', 'process'])).exitCode).toBe(0);
    expect((await cli(p, ['down'])).exitCode).toBe(0);
    writeFileSync(path.join(volumes, 'data', 'note'), 'kept');
    mkdirSync(path.join(volumes, 'ext'), {recursive: true});
    const downV = await cli(p, ['down', '--volumes']);
    expect(downV.exitCode, downV.all).toBe(0);
    expect(downV.stdout).toContain('removed 1 volume');
    expect(existsSync(path.join(volumes, 'data'))).toBe(false);
    expect(existsSync(path.join(volumes, 'ext'))).toBe(true);
  });

  // Found by a new user's trial: on a running stack, `down --volumes` said only
  // "stopped NAME", while with nothing running it names what it removed.
  it('on a running stack, names the volumes it removed (Node path: --json and text)', async () => {
    const p = project(yaml);
    const volumes = path.join(p.dir, '.sidecar', 'volumes');
    expect((await cli(p, ['up', '--wait', '--runtime', 'process'])).exitCode).toBe(0);
    const json = await cli(p, ['down', '--volumes', '--json']);
    expect(json.exitCode, json.all).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({outcome: 'stopped', project: 'downv', volumesRemoved: ['data']});
    expect(existsSync(path.join(volumes, 'data'))).toBe(false);
    expect((await cli(p, ['up', '--wait', '--runtime', 'process'])).exitCode).toBe(0);
    // --timeout takes Node's path: the same words as the shell's.
    const text = await cli(p, ['down', '--volumes', '--timeout', '5s']);
    expect(text.exitCode, text.all).toBe(0);
    expect(text.stdout).toBe('stopped downv; removed 1 volume: data');
  });

  // Found by a new user's trial: a Pod with only an emptyDir (removed with every stop)
  // was told "no volume to remove" by `down --volumes`, which removed that emptyDir.
  it('a Kubernetes Pod with only an emptyDir: "no named volume to remove", on both paths', async () => {
    const p = project('');
    writeFileSync(path.join(p.dir, 'pod.yaml'), `apiVersion: v1\nkind: Pod\nmetadata: {name: scratch}\nspec:\n  volumes: [{name: tmp, emptyDir: {}}]\n  containers:\n    - name: app\n      image: busybox\n      command: [node, \${PROGRAMS}/forever.js]\n      env: [{name: SIDECAR_TEST_MARK, value: "\${MARK}"}]\n      volumeMounts: [{name: tmp, mountPath: /tmp/scratch}]\n`.replaceAll('${PROGRAMS}', path.join(repoRoot, 'test/fixtures/programs')).replaceAll('${MARK}', p.mark));
    expect((await cli(p, ['up', '--wait', '-f', 'pod.yaml', '--runtime', 'process'])).exitCode).toBe(0);
    const bySh = await cli(p, ['down', '--volumes', '-f', 'pod.yaml']);
    expect(bySh.stdout, bySh.all).toMatch(/^stopped \S+; no named volume to remove$/);
    expect((await cli(p, ['up', '--wait', '-f', 'pod.yaml', '--runtime', 'process'])).exitCode).toBe(0);
    const byNode = await cli(p, ['down', '--volumes', '-f', 'pod.yaml', '--timeout', '5s']);
    expect(byNode.stdout, byNode.all).toMatch(/^stopped \S+; no named volume to remove$/);
  });

  // Found by a new user's trial: in a CI cleanup step without the secret, `down
  // --volumes` and `ps` with nothing running exited 3 on `${REQ:?...}` (docs/ci.md: a
  // no-op that exits 0), and the volumes an earlier stack left could not be removed.
  it('with nothing running, down --volumes and ps need no required variable', async () => {
    const p = project(yaml.replace('DATA: "${volumes.data}"', 'DATA: "${volumes.data}", TOKEN: "${REQ:?set REQ}"'));
    const volumes = path.join(p.dir, '.sidecar', 'volumes');
    expect((await cli({...p, env: {...p.env, REQ: 'secret'}}, ['up', '--wait', '--runtime', 'process'])).exitCode).toBe(0);
    expect((await cli(p, ['down'])).exitCode).toBe(0);
    const ps = await cli(p, ['ps']);
    expect(ps.exitCode, ps.all).toBe(0);
    const downV = await cli(p, ['down', '--volumes']);
    expect(downV.exitCode, downV.all).toBe(0);
    expect(downV.stdout).toContain('removed 1 volume: data');
    expect(existsSync(path.join(volumes, 'data'))).toBe(false);
    // `up` still needs it.
    const up = await cli(p, ['up', '--wait', '--runtime', 'process']);
    expect(up.exitCode, up.all).toBe(3);
    expect(up.stderr).toContain('required variable REQ is not set: set REQ');
  });

  it('refuses a volume directory that is a symlink out of .sidecar, deleting nothing', async () => {
    const p = project(yaml);
    const outside = path.join(os.tmpdir(), `downv-outside-${p.mark}`);
    mkdirSync(outside, {recursive: true});
    writeFileSync(path.join(outside, 'precious'), 'x');
    mkdirSync(path.join(p.dir, '.sidecar', 'volumes'), {recursive: true});
    symlinkSync(outside, path.join(p.dir, '.sidecar', 'volumes', 'data'));
    const downV = await cli(p, ['down', '--volumes']);
    expect(downV.exitCode, downV.all).not.toBe(0);
    expect(existsSync(path.join(outside, 'precious'))).toBe(true);
  });
});
