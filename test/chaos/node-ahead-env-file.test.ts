import {existsSync, readFileSync, unlinkSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {execa} from 'execa';
import {describe, expect, it} from 'vitest';
import {eventually, project, root, survivors, trackProjects, type Project} from '../integration/cli/cli-harness.js';

// Issue 13.1, a Node service made ahead (src/runtime/node-ahead.ts): Node starts up
// at once, while the service before it gets ready, and waits in its preload. But
// `node --env-file=FILE` reads FILE during that start-up, before any preload:
//  - a file the service before it writes (an init job rendering secrets, a vault
//    agent sidecar) is read as it was before that service ran: the app runs with
//    the previous run's values (DESIGN 1: its program runs only once the one
//    before is ready, and sees what that one did);
//  - a NODE_OPTIONS in the file is dropped: the NODE_OPTIONS we give (the
//    preload) is in the environment, which wins over the file, and the preload
//    then unsets it: the user's `--require` (tracing, APM) never loads, and
//    process.env.NODE_OPTIONS is missing ("services see the environment they
//    were given").
// Started at its turn (SIDECAR_NODE_AHEAD=0, or Node run by hand) both work.
const track = trackProjects();
const bin = path.join(root, 'bin/run.js');

// The CLI with no NODE_OPTIONS of the test runner's: the service's environment
// is the caller's, and a NODE_OPTIONS there would hide the file's (env wins).
function cli(p: Project, args: string[]) {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && key !== 'NODE_OPTIONS' && !key.startsWith('SIDECAR_')) env[key] = value;
  return execa(bin, args, {cwd: p.dir, env: {...env, ...p.env}, extendEnv: false, reject: false, all: true, timeout: 60_000});
}

const readWhenThere = (file: string): Promise<string> => eventually(() => existsSync(file) && readFileSync(file, 'utf8'), 15_000, `${path.basename(file)} to be written`);

describe('a Node service made ahead, run with --env-file', () => {
  it('sees the env file its init job wrote, not the one there before', async () => {
    const p = track(
      project(`version: 1
name: envfile-stale
init:
  secrets:
    command: [sh, -c, "sleep 1; echo TOKEN=fresh > app.env"]
    env: {SIDECAR_TEST_MARK: "\${MARK}"}
app:
  command: [node, --env-file=app.env, app.js]
  env: {SIDECAR_TEST_MARK: "\${MARK}"}
  stopTimeout: 1s
`),
    );
    // What the previous run left: the init job replaces it before the app's turn.
    writeFileSync(path.join(p.dir, 'app.env'), 'TOKEN=stale\n');
    writeFileSync(path.join(p.dir, 'app.js'), "require('fs').writeFileSync('seen.txt', String(process.env.TOKEN));\nsetInterval(() => {}, 1 << 30);\n");
    const up = await cli(p, ['up', '--wait', '--runtime', 'process']);
    expect(up.exitCode, up.all).toBe(0);
    expect(readFileSync(path.join(p.dir, 'app.env'), 'utf8').trim()).toBe('TOKEN=fresh');
    // Now: 'stale', read at the app's start-up while the init job still slept.
    expect(await readWhenThere(path.join(p.dir, 'seen.txt'))).toBe('fresh');
    expect((await cli(p, ['down'])).exitCode).toBe(0);
    await eventually(() => survivors(p.mark).length === 0, 10_000, 'nothing left');
  });

  it("applies a NODE_OPTIONS the env file sets, as `node --env-file` does, and the service sees it", async () => {
    const p = track(
      project(`version: 1
name: envfile-options
app:
  command: [node, --env-file=app.env, app.js]
  env: {SIDECAR_TEST_MARK: "\${MARK}"}
  stopTimeout: 1s
`),
    );
    writeFileSync(path.join(p.dir, 'app.env'), 'NODE_OPTIONS=--require ./hook.js\n');
    writeFileSync(path.join(p.dir, 'hook.js'), "require('fs').writeFileSync('hook.txt', 'loaded');\n");
    writeFileSync(path.join(p.dir, 'app.js'), "const fs = require('fs');\nfs.writeFileSync('seen.json', JSON.stringify({NODE_OPTIONS: process.env.NODE_OPTIONS ?? null, hook: fs.existsSync('hook.txt')}));\nsetInterval(() => {}, 1 << 30);\n");
    // What Node itself does with this file, started by hand.
    const byHand = await execa('node', ['--env-file=app.env', '-e', "console.log(JSON.stringify(process.env.NODE_OPTIONS ?? null), require('fs').existsSync('hook.txt'))"], {cwd: p.dir, env: {PATH: process.env.PATH ?? ''}, extendEnv: false, reject: false});
    expect(byHand.stdout).toBe('"--require ./hook.js" true');
    unlinkSync(path.join(p.dir, 'hook.txt'));

    const up = await cli(p, ['up', '--wait', '--runtime', 'process']);
    expect(up.exitCode, up.all).toBe(0);
    const seen = JSON.parse(await readWhenThere(path.join(p.dir, 'seen.json'))) as {NODE_OPTIONS: string | null; hook: boolean};
    // Now: {NODE_OPTIONS: null, hook: false}.
    expect(seen).toEqual({NODE_OPTIONS: '--require ./hook.js', hook: true});
    expect((await cli(p, ['down'])).exitCode).toBe(0);
    await eventually(() => survivors(p.mark).length === 0, 10_000, 'nothing left');
  });
});
