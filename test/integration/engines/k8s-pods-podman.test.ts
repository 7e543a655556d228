import {execFileSync, spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {describe, expect, it} from 'vitest';
import {parseAllDocuments} from 'yaml';
import {freePort} from '../../helpers/free-port.js';
import {until} from '../docker/docker-engine.js';

// Issue 10.5: what `generate k8s --no-native-sidecars` writes for a 2-pod
// manifest (two Pods, a Service for the pod with a port, one `---` stream) runs
// under podman kube play, and pod frontend reaches pod backend by its name on a
// DNS-enabled network, as it would through the Service in a cluster.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

function sh(argv: string[], options: {cwd?: string; allowFail?: boolean} = {}): string {
  const result = spawnSync(argv[0]!, argv.slice(1), {encoding: 'utf8', cwd: options.cwd, timeout: 180_000});
  if (result.status !== 0 && !options.allowFail) throw new Error(`${argv.join(' ')} exited ${result.status}: ${result.stderr}${result.error ? ` (${result.error.message})` : ''}`);
  return result.stdout;
}

const podman = spawnSync('podman', ['version'], {encoding: 'utf8'});
function describePodman(name: string, body: () => void): void {
  if (podman.status === 0) describe(name, body);
  else if (process.env.CI) describe(name, () => it('needs podman under CI=true', () => expect.fail(`podman does not run: ${podman.stderr || podman.error?.message}; run .ci/engines.sh`)));
  else {
    console.warn(`[engines] skipped "${name}": podman does not run here. Run .ci/engines.sh.`);
    describe.skip(name, body);
  }
}

describePodman('generated k8s of several pods on podman kube play', () => {
  it('plays both pods and the Service, frontend reaches backend by its pod name, then kube down leaves nothing', async () => {
    // Podman keeps its own image store; the build script puts busybox there too.
    execFileSync(path.join(root, 'scripts/build-test-images.sh'), {stdio: 'ignore'});
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gen-kpods-'));
    const suffix = path.basename(dir).slice(10).toLowerCase().replace(/[^a-z0-9]/g, '');
    // Pod names are global in podman: unique ones, so parallel runs never collide.
    const backend = `backend-${suffix}`;
    const frontend = `frontend-${suffix}`;
    const fixture = readFileSync(path.join(root, 'test/fixtures/engines/pods-stack.yaml'), 'utf8');
    const manifest = path.join(dir, 'sidecar.yaml');
    // A port free now, not a fixed one another test or process may hold.
    const hostPort = await freePort();
    writeFileSync(manifest, fixture.replace(/\bbackend(?=[:\].])/g, backend).replace(/\bfrontend(?=:)/g, frontend).replace('HOST_PORT', String(hostPort)));
    const out = path.join(dir, 'pods.yaml');
    sh([process.execPath, path.join(root, 'bin/run.js'), 'generate', 'k8s', '--no-native-sidecars', '-f', manifest, '-o', out], {cwd: dir});
    const kinds = parseAllDocuments(readFileSync(out, 'utf8')).map((doc) => {
      const object = doc.toJS() as {kind: string; metadata: {name: string}};
      return `${object.kind} ${object.metadata.name}`;
    });
    expect(kinds).toEqual([`Service ${backend}`, `Pod ${backend}`, `Pod ${frontend}`]);
    const network = `gen-kpods-${suffix}`;
    sh(['podman', 'network', 'create', network]);
    try {
      sh(['podman', 'kube', 'play', '--network', network, out], {cwd: dir});
      const logs = (container: string): string => sh(['podman', 'logs', container], {allowFail: true});
      await until('frontend reached backend by its pod name', () => logs(`${frontend}-app`).includes('reached-backend') || undefined, 90_000);
      expect(logs(`${frontend}-app`)).toContain('backend-says-hi');
      await until('the sidecar in frontend reached backend too', () => logs(`${frontend}-egress`).includes(`sidecar-reached-${backend}`) || undefined, 60_000);
    } finally {
      sh(['podman', 'kube', 'down', out], {allowFail: true});
      sh(['podman', 'network', 'rm', '-f', network], {allowFail: true});
    }
    expect(sh(['podman', 'pod', 'ps', '-q', '--filter', `name=${suffix}`]).trim()).toBe('');
  }, 240_000);
});
