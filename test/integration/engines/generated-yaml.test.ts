import {execFileSync, spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {describe, expect, it} from 'vitest';
import {parse} from 'yaml';
import {describeDocker, TEST_IMAGES, until} from '../docker/docker-engine.js';

// Issue 4 point 7: what `generate` writes runs on engines nobody here wrote.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const fixtures = path.join(root, 'test/fixtures/engines');

function sh(argv: string[], options: {cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number} = {}): string {
  const result = spawnSync(argv[0]!, argv.slice(1), {encoding: 'utf8', cwd: options.cwd, env: {...process.env, ...options.env}, timeout: options.timeoutMs ?? 120_000});
  if (result.status !== 0) throw new Error(`${argv.join(' ')} exited ${result.status}: ${result.stderr}${result.error ? ` (${result.error.message})` : ''}`);
  return result.stdout;
}

// A copy of a fixture under a unique project name, so parallel runs never collide.
function stackCopy(fixture: string): {dir: string; file: string; name: string} {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gen-'));
  const name = `gen-${path.basename(dir).slice(4).toLowerCase()}`;
  const file = path.join(dir, 'sidecar.yaml');
  writeFileSync(file, readFileSync(path.join(fixtures, fixture), 'utf8').replace(/^name: .*$/m, `name: ${name}`));
  return {dir, file, name};
}

// The CLI is the contract (DESIGN "generate"): bin/run.js loads dist/ (`npm run build`).
function generate(target: string[], stack: {dir: string; file: string}, out: string): void {
  sh([process.execPath, path.join(root, 'bin/run.js'), 'generate', ...target, '-f', stack.file, '-o', out], {cwd: stack.dir, env: {SIDECAR_INFRA_IMAGE: TEST_IMAGES.pause}});
}

describeDocker('generated compose on docker-compose v1', () => {
  it('brings the stack up with a shared network and volume, start order honoured, then down -v leaves nothing', async () => {
    const stack = stackCopy('compose-stack.yaml');
    const out = path.join(stack.dir, 'docker-compose.yml');
    generate(['compose'], stack, out);
    const compose = (...args: string[]): string => sh(['docker-compose', '-p', stack.name, '-f', out, ...args], {cwd: stack.dir});
    try {
      compose('up', '-d');
      const logs = (service: string): string => compose('logs', '--no-color', service);
      await until('the reader read the app\'s file from the shared volume', () => logs('reader').includes('from-app') || undefined, 60_000);
      await until('the reader reached the app on localhost', () => logs('reader').includes('app-says-hi') || undefined, 60_000);
      // service_healthy: the app started only once the sidecar was ready.
      expect(logs('app')).toContain('order-ok');
      const ids = compose('ps', '-q').trim().split('\n');
      const modes = ids.map((id) => sh(['docker', 'inspect', '-f', '{{.HostConfig.NetworkMode}}', id]).trim());
      const joined = modes.filter((mode) => mode.startsWith('container:'));
      // app and reader join one network namespace owner (the infra service).
      expect(joined.length).toBeGreaterThanOrEqual(2);
      expect(new Set(joined).size).toBe(1);
    } finally {
      compose('down', '-v', '--timeout', '2');
    }
    const left = sh(['docker', 'ps', '-aq', '--filter', `label=com.docker.compose.project=${stack.name}`]).trim();
    expect(left).toBe('');
  });
});

const podman = spawnSync('podman', ['version'], {encoding: 'utf8'});
const podmanOk = podman.status === 0;

function describePodman(name: string, body: () => void): void {
  if (podmanOk) describe(name, body);
  else if (process.env.CI) describe(name, () => it('needs podman under CI=true', () => expect.fail(`podman does not run: ${podman.stderr || podman.error?.message}; run .ci/engines.sh`)));
  else {
    console.warn(`[engines] skipped "${name}": podman does not run here. Run .ci/engines.sh.`);
    describe.skip(name, body);
  }
}

describePodman('generated k8s (--no-native-sidecars) on podman kube play', () => {
  it('runs the pod: the sidecar reads what the app writes to the shared volume, and they talk over localhost', async () => {
    // Podman keeps its own image store; the build script puts busybox there too.
    execFileSync(path.join(root, 'scripts/build-test-images.sh'), {stdio: 'ignore'});
    const stack = stackCopy('k8s-stack.yaml');
    const out = path.join(stack.dir, 'pod.yaml');
    generate(['k8s', '--no-native-sidecars'], stack, out);
    const documents = readFileSync(out, 'utf8').split(/^---$/m).map((doc) => parse(doc) as {kind?: string; metadata?: {name?: string}} | null);
    const pod = documents.find((doc) => doc?.kind === 'Pod');
    expect(pod?.metadata?.name).toBeTruthy();
    const podName = pod!.metadata!.name!;
    try {
      sh(['podman', 'kube', 'play', '--network', 'none', out]);
      const logs = (): string => {
        const names = sh(['podman', 'ps', '-a', '--filter', `pod=${podName}`, '--format', '{{.Names}}']).split('\n').filter((n) => n.endsWith('-reader'));
        return names.map((n) => sh(['podman', 'logs', n])).join('\n');
      };
      await until('the sidecar read the app\'s file from the shared emptyDir', () => logs().includes('from-app') || undefined, 60_000);
      await until('the sidecar reached the app on localhost', () => logs().includes('app-says-hi') || undefined, 60_000);
    } finally {
      sh(['podman', 'kube', 'down', out]);
    }
    expect(sh(['podman', 'pod', 'ps', '-q', '--filter', `name=^${podName}$`]).trim()).toBe('');
  });
});
