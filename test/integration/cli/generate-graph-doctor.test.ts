import {execFile} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {parse} from 'yaml';
import {afterAll, describe, expect, it} from 'vitest';

// The built CLI (npm test builds first), as a user runs it.
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const BIN = path.join(ROOT, 'bin/run.js');
const QUICKSTART = path.join(ROOT, 'examples/quickstart/sidecar.yaml');
const dir = mkdtempSync(path.join(os.tmpdir(), 'sidecar-cli-gen-'));
afterAll(() => rmSync(dir, {recursive: true, force: true}));

function sidecar(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{code: number; stdout: string; stderr: string}> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], {cwd: dir, env: {...process.env, NO_COLOR: '1', ...env}, timeout: 30_000}, (error, stdout, stderr) => {
      resolve({code: error ? ((error as {code?: number}).code ?? 1) : 0, stdout, stderr});
    });
  });
}

describe('sidecar generate', () => {
  it('prints compose YAML on stdout and the losses on stderr', async () => {
    const {code, stdout, stderr} = await sidecar(['generate', 'compose', '-f', QUICKSTART], {SIDECAR_INFRA_IMAGE: 'local/pause:1'});
    expect(code).toBe(0);
    const document = parse(stdout, {version: '1.1'}) as {services: Record<string, {image: string; network_mode?: string}>};
    expect(document.services.pod!.image).toBe('local/pause:1');
    expect(document.services.app!.network_mode).toBe('service:pod');
    expect(stderr).toContain('Compose cannot express');
    expect(stderr).toContain('Compose cannot probe HTTP from outside the image');
  });

  it('--json prints only JSON with the YAML and the losses; -o writes the file', async () => {
    const out = path.join(dir, 'k8s', 'pod.yaml');
    const {code, stdout} = await sidecar(['generate', 'k8s', '--kind', 'job', '--no-native-sidecars', '-f', QUICKSTART, '-o', out, '--json']);
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as {target: string; file: string; yaml: string; losses: {feature: string}[]};
    expect(result.target).toBe('k8s');
    expect(result.file).toBe(out);
    expect(readFileSync(out, 'utf8')).toBe(result.yaml);
    expect((parse(result.yaml) as {kind: string}).kind).toBe('Job');
    expect(result.losses.map((l) => l.feature)).toContain('startup');
  });

  it('usage errors exit 2; an unusable manifest exits 3 naming every service', async () => {
    expect((await sidecar(['generate', 'swarm', '-f', QUICKSTART])).code).toBe(2);
    expect((await sidecar(['generate', 'compose', '--kind', 'job', '-f', QUICKSTART])).code).toBe(2);
    const manifest = path.join(dir, 'process-only.yaml');
    writeFileSync(manifest, 'version: 1\nname: p\napp: {command: [node, app.js]}\nsidecars:\n  s: {command: [node, s.js]}\n');
    const {code, stderr} = await sidecar(['generate', 'k8s', '-f', manifest]);
    expect(code).toBe(3);
    expect(stderr).toContain('SIDECAR_MANIFEST_INVALID');
    expect(stderr).toContain('sidecars.s');
  });
});

describe('-o naming the file the command reads', () => {
  // Found by a new user: `generate compose -o sidecar.yaml` replaced the manifest
  // with Compose YAML (exit 0), and the project no longer validated.
  it('is refused with a usage error, whatever its spelling, and the file is left as it was', async () => {
    const project = mkdtempSync(path.join(dir, 'own-input-'));
    const manifest = path.join(project, 'sidecar.yaml');
    writeFileSync(manifest, readFileSync(QUICKSTART, 'utf8').replace(/\.\/(proxy|tailer|app)\//g, `${path.dirname(QUICKSTART)}/$1/`));
    const before = readFileSync(manifest, 'utf8');
    symlinkSync(manifest, path.join(project, 'link.yaml'));
    const compose = path.join(project, 'docker-compose.yml');
    writeFileSync(compose, 'services:\n  app:\n    image: busybox\n');
    const composeBefore = readFileSync(compose, 'utf8');
    const cases = [
      ['generate', 'compose', '-f', manifest, '-o', manifest],
      ['generate', 'k8s', '-f', manifest, '-o', path.join(project, 'link.yaml')],
      ['generate', 'k8s', '-f', manifest, '-o', path.relative(dir, manifest), '--json'],
      ['graph', '-f', manifest, '-o', manifest, '--format', 'dot'],
      ['import', compose, '-o', compose, '--force'],
    ];
    for (const args of cases) {
      const {code, stdout, stderr} = await sidecar(args);
      expect(code, args.join(' ')).toBe(2);
      // --json says it as JSON on stdout.
      const said = args.includes('--json') ? stdout : stderr;
      expect(said, args.join(' ')).toContain('SIDECAR_USAGE');
      expect(said, args.join(' ')).toMatch(/the file `sidecar (generate|graph|import)[^`]*` reads: writing it would replace it/);
      expect(said, args.join(' ')).toMatch(/fix:|"suggestion"/);
    }
    expect(readFileSync(manifest, 'utf8')).toBe(before);
    expect(readFileSync(compose, 'utf8')).toBe(composeBefore);
    // Another file is written as ever.
    expect((await sidecar(['generate', 'compose', '-f', manifest, '-o', path.join(project, 'out.yml')])).code).toBe(0);
  });
});

describe('sidecar graph', () => {
  it('draws mermaid by default and dot on request', async () => {
    const mermaid = await sidecar(['graph', '-f', QUICKSTART]);
    expect(mermaid.code).toBe(0);
    expect(mermaid.stdout.startsWith('flowchart LR\n')).toBe(true);
    expect(mermaid.stdout).toContain('"sidecar: proxy"');
    const dot = await sidecar(['graph', '--format', 'dot', '-f', QUICKSTART]);
    expect(dot.stdout.startsWith('digraph "quickstart" {')).toBe(true);
  });
});

describe('sidecar doctor', () => {
  it('exits 0 and says where it looked when no engine answers', async () => {
    const socket = path.join(dir, 'no-engine.sock');
    const {code, stdout} = await sidecar(['doctor', '--json'], {DOCKER_HOST: `unix://${socket}`});
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as {docker: {ok: boolean; endpoint: string; error: string}; process: {ok: boolean}; tools: {name: string}[]; auto: string};
    expect(report.docker).toMatchObject({ok: false, endpoint: `unix://${socket}`});
    expect(report.docker.error).toContain('does not exist');
    expect(report.process.ok).toBe(true);
    expect(report.auto).toBe('process');
    expect(report.tools.map((t) => t.name)).toEqual(['docker', 'docker-compose', 'podman', 'kubectl']);
    const human = await sidecar(['doctor'], {DOCKER_HOST: `unix://${socket}`});
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(`no engine answered at unix://${socket} (from DOCKER_HOST)`);
  });
});
