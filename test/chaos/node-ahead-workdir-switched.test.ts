import {existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {cli, eventually, project, survivors, trackProjects, type Project} from '../integration/cli/cli-harness.js';

// Issue 13.1/13.3: a service's process is made ahead of its turn (started-ahead.ts),
// and so gets its working directory then, before the init job or sidecar before it
// has run. A workdir that this one replaces is not the app's any more:
//  - a `current` link switched to the new release (a blue/green or Capistrano-style
//    deploy step): the app runs the OLD release's code, from the directory the
//    link named when it was made ahead;
//  - a directory removed and made again (`rm -rf build && mkdir build`, a clean
//    build): the app runs in the deleted directory, and a file it opens by a
//    relative name is not found.
// Under Docker a container's bind mount is resolved at its start, and a process
// started at its turn gets the workdir as it is then. (Both modes of the process
// runtime do this: the Node one, and the shell one SIDECAR_NODE_AHEAD=0 leaves.)
// DESIGN 1: the program runs once the one before is ready, and sees what it did.
const track = trackProjects();

// Writes, first thing, which release it is and the config it reads by a relative name.
const APP = (release: string): string => `const fs = require('fs');
let config;
try { config = fs.readFileSync('config.txt', 'utf8').trim(); } catch (error) { config = error.code; }
fs.writeFileSync(process.env.OUT, JSON.stringify({release: '${release}', config}));
setInterval(() => {}, 1 << 30);
`;

function seen(p: Project): Promise<{release: string; config: string}> {
  const file = path.join(p.dir, 'seen.json');
  return eventually(() => existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as {release: string; config: string}), 15_000, 'the app to run');
}

describe('a service made ahead whose workdir the init job before it replaces', () => {
  it('runs the release its init job switched `current` to', async () => {
    const p = track(
      project(`version: 1
name: workdir-link
init:
  deploy:
    command: [sh, -c, "sleep 1; ln -sfn v2 current"]
    env: {SIDECAR_TEST_MARK: "\${MARK}"}
app:
  command: [node, main.js]
  workdir: ./current
  env: {SIDECAR_TEST_MARK: "\${MARK}", OUT: "seen-placeholder"}
  stopTimeout: 1s
`),
    );
    for (const release of ['v1', 'v2']) {
      mkdirSync(path.join(p.dir, release));
      writeFileSync(path.join(p.dir, release, 'main.js'), APP(release));
      writeFileSync(path.join(p.dir, release, 'config.txt'), `config of ${release}\n`);
    }
    symlinkSync('v1', path.join(p.dir, 'current'));
    const yaml = path.join(p.dir, 'sidecar.yaml');
    writeFileSync(yaml, readFileSync(yaml, 'utf8').replace('seen-placeholder', path.join(p.dir, 'seen.json')));

    const up = await cli(p, ['up', '--wait', '--runtime', 'process']);
    expect(up.exitCode, up.all).toBe(0);
    // Now: {release: 'v1', config: 'config of v1'}, the release `current` named before the deploy step.
    expect(await seen(p)).toEqual({release: 'v2', config: 'config of v2'});
    expect((await cli(p, ['down'])).exitCode).toBe(0);
    await eventually(() => survivors(p.mark).length === 0, 10_000, 'nothing left');
  });

  it('runs in the directory its init job made again, and finds the files there', async () => {
    const p = track(
      project(`version: 1
name: workdir-rebuilt
init:
  build:
    command: [sh, -c, "sleep 1; rm -rf build; mkdir build; cp src/main.js build/; echo rebuilt > build/config.txt"]
    env: {SIDECAR_TEST_MARK: "\${MARK}"}
app:
  command: [node, main.js]
  workdir: ./build
  env: {SIDECAR_TEST_MARK: "\${MARK}", OUT: "seen-placeholder"}
  stopTimeout: 1s
`),
    );
    mkdirSync(path.join(p.dir, 'src'));
    writeFileSync(path.join(p.dir, 'src', 'main.js'), APP('built'));
    // The previous build's output: validation wants the workdir to exist.
    mkdirSync(path.join(p.dir, 'build'));
    writeFileSync(path.join(p.dir, 'build', 'main.js'), APP('previous build'));
    writeFileSync(path.join(p.dir, 'build', 'config.txt'), 'previous\n');
    const yaml = path.join(p.dir, 'sidecar.yaml');
    writeFileSync(yaml, readFileSync(yaml, 'utf8').replace('seen-placeholder', path.join(p.dir, 'seen.json')));

    const up = await cli(p, ['up', '--wait', '--runtime', 'process']);
    expect(up.exitCode, up.all).toBe(0);
    // Now: {release: 'built', config: 'ENOENT'}: main.js found by its absolute path
    // (Node cached the cwd's name), config.txt looked up in the deleted directory.
    // (Waiting in the shell instead, SIDECAR_NODE_AHEAD=0, node fails at once,
    // "ENOENT: no such file or directory, uv_cwd", and only its restart runs.)
    expect(await seen(p)).toEqual({release: 'built', config: 'rebuilt'});
    const ps = JSON.parse((await cli(p, ['ps', '--json'])).stdout) as {services: Array<{name: string; restarts: number}>};
    expect(ps.services.find((s) => s.name === 'app')?.restarts).toBe(0);
    expect((await cli(p, ['down'])).exitCode).toBe(0);
    await eventually(() => survivors(p.mark).length === 0, 10_000, 'nothing left');
  });
});
