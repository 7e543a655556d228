import {mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {loadManifest} from '../../../src/manifest/load.js';
import {initProject} from '../../../src/scaffold/init-project.js';

// Issue 8.9 audit: `init` where an app already lives adopts it. Only a Node app
// was recognised: beside a Python or Go app, or one with just a Dockerfile,
// `init` wrote the Node demo app into ./app and ran that instead of the user's.
describe('init adopts the app already in the directory, whatever its language', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'adopt-'));
  });
  afterEach(() => rmSync(dir, {recursive: true, force: true}));

  const write = (files: Record<string, string>): void => {
    for (const [file, text] of Object.entries(files)) writeFileSync(path.join(dir, file), text);
  };

  it.each([
    ['a Node app', {'package.json': '{"scripts": {"start": "node server.js"}}', 'server.js': ''}, 'package.json', ['node', 'server.js']],
    ['a Python app', {'requirements.txt': 'flask\n', 'app.py': ''}, 'app.py', ['python3', 'app.py']],
    ['a Python script alone', {'main.py': ''}, 'main.py', ['python3', 'main.py']],
    ['a Go module', {'go.mod': 'module example.com/x\n', 'main.go': 'package main\n'}, 'go.mod', ['go', 'run', '.']],
  ])('%s runs as itself under the process runtime', async (_what, files, found, command) => {
    write(files);
    const result = await initProject({dir, name: 'mine', templates: [], force: false});
    expect(result.adopted).toBe(found);
    // Only what is missing: the manifest and the .gitignore entry.
    expect(result.files.sort()).toEqual(['.gitignore', 'sidecar.yaml']);
    const manifest = await loadManifest(path.join(dir, 'sidecar.yaml'), {env: {}});
    expect(manifest.pods[0]!.app.command).toEqual(command);
    expect(manifest.pods[0]!.app.build).toBeUndefined();
  });

  it('an app with only a Dockerfile is built from it, and the note says the process runtime needs a command', async () => {
    write({Dockerfile: 'FROM busybox\nCMD ["httpd", "-f", "-p", "8080"]\n'});
    const result = await initProject({dir, name: 'mine', templates: [], force: false});
    expect(result.adopted).toBe('Dockerfile');
    expect(readdirSync(dir).sort()).toEqual(['.gitignore', 'Dockerfile', 'sidecar.yaml']);
    const manifest = await loadManifest(path.join(dir, 'sidecar.yaml'), {env: {}});
    expect(manifest.pods[0]!.app.image).toBe('mine-app:dev');
    expect(manifest.pods[0]!.app.command ?? []).toEqual([]);
    expect(manifest.pods[0]!.app.build?.context).toBe(dir);
    expect(result.next.join('\n')).toMatch(/Dockerfile's CMD.*process runtime.*app\.command/);
  });

  it('a Python app with a Dockerfile gets both, and the sidecars are wired to it', async () => {
    write({'app.py': '', Dockerfile: 'FROM python:3\n'});
    const result = await initProject({dir, name: 'mine', templates: ['http-proxy'], force: false});
    expect(result.adopted).toBe('app.py');
    expect(readdirSync(dir)).not.toContain('app');
    const manifest = await loadManifest(path.join(dir, 'sidecar.yaml'), {env: {}});
    expect(manifest.pods[0]!.app).toMatchObject({command: ['python3', 'app.py'], image: 'mine-app:dev'});
    expect(manifest.pods[0]!.sidecars.map((s) => s.name)).toEqual(['http-proxy']);
    expect(readFileSync(path.join(dir, 'sidecar.yaml'), 'utf8')).toContain('adopted by `sidecar init`');
  });

  it('an empty directory is not an app: the demo project is written', async () => {
    const result = await initProject({dir, name: 'fresh', templates: [], force: false});
    expect(result.adopted).toBeUndefined();
    expect(readdirSync(dir)).toContain('app');
  });
});
