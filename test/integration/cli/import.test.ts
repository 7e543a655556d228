import {execFile} from 'node:child_process';
import {copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, describe, expect, it} from 'vitest';

// Issue 12.3: `sidecar import FILE [-o FILE] [--force]` through the built CLI.
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const BIN = path.join(ROOT, 'bin/run.js');
const K8S = path.join(ROOT, 'test/fixtures/import/k8s');
const dir = mkdtempSync(path.join(os.tmpdir(), 'sidecar-cli-import-'));
afterAll(() => rmSync(dir, {recursive: true, force: true}));

function sidecar(args: string[], env: Record<string, string> = {}): Promise<{code: number; stdout: string; stderr: string}> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], {cwd: dir, env: {...process.env, NO_COLOR: '1', ...env}, timeout: 60_000}, (error, stdout, stderr) => {
      resolve({code: error ? ((error as {code?: number}).code ?? 1) : 0, stdout, stderr});
    });
  });
}

describe('sidecar import', () => {
  it('writes sidecar.yaml beside FILE, with the ConfigMap files, and it validates', async () => {
    copyFileSync(path.join(K8S, 'fluent-bit-logging-pod.yaml'), path.join(dir, 'pod.yaml'));
    const {code, stderr} = await sidecar(['import', 'pod.yaml']);
    expect(code, stderr).toBe(0);
    expect(stderr).toContain('not carried over');
    expect(stderr).toContain('wrote sidecar.yaml');
    const text = readFileSync(path.join(dir, 'sidecar.yaml'), 'utf8');
    expect(text).toContain('# not carried over: ');
    expect(text).toContain('./k8s-files/web/fluent-bit-config:/fluent-bit/etc:ro');
    expect(readFileSync(path.join(dir, 'k8s-files/web/fluent-bit-config/fluent-bit.conf'), 'utf8')).toContain('Name tail');
    const validate = await sidecar(['validate', '-f', 'sidecar.yaml']);
    expect(validate.code, validate.stderr).toBe(0);
    expect(validate.stdout).toContain('is valid: project web');
  });

  it('refuses to overwrite without --force (exit 2, nothing written), overwrites with it', async () => {
    const out = path.join(dir, 'out', 'sidecar.yaml');
    const first = await sidecar(['import', path.join(K8S, 'nginx-deployment.yaml'), '-o', out]);
    expect(first.code, first.stderr).toBe(0);
    writeFileSync(out, '# mine\n');
    const again = await sidecar(['import', path.join(K8S, 'nginx-deployment.yaml'), '-o', out, '--json']);
    expect(again.code).toBe(2);
    expect(JSON.parse(again.stdout).error.code).toBe('SIDECAR_SCAFFOLD_CONFLICT');
    expect(readFileSync(out, 'utf8')).toBe('# mine\n');
    const forced = await sidecar(['import', path.join(K8S, 'nginx-deployment.yaml'), '-o', out, '--force', '--json']);
    expect(forced.code, forced.stdout).toBe(0);
    const result = JSON.parse(forced.stdout) as {file: string; from: string; losses: {feature: string}[]};
    expect(result).toMatchObject({file: out, from: 'kubernetes'});
    expect(result.losses.some((loss) => loss.feature.includes('spec.replicas'))).toBe(true);
    expect(readFileSync(out, 'utf8')).toContain('image: nginx:1.25.3');
  });

  it('imports a compose file; a file that is neither is exit 3 and writes nothing', async () => {
    const compose = path.join(dir, 'compose', 'docker-compose.yml');
    rmSync(path.dirname(compose), {recursive: true, force: true});
    mkdirSync(path.dirname(compose));
    copyFileSync(path.join(ROOT, 'test/fixtures/import/compose/wordpress.compose.yaml'), compose);
    const {code, stderr} = await sidecar(['import', compose]);
    expect(code, stderr).toBe(0);
    const validate = await sidecar(['validate', '-f', path.join(path.dirname(compose), 'sidecar.yaml')]);
    expect(validate.code, validate.stderr).toBe(0);
    expect(validate.stdout).toContain('2 pods');
    writeFileSync(path.join(dir, 'other.yaml'), 'hello: world\n');
    const bad = await sidecar(['import', 'other.yaml', '-o', 'other-sidecar.yaml']);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain('neither Kubernetes YAML nor a docker-compose file');
    expect(existsSync(path.join(dir, 'other-sidecar.yaml'))).toBe(false);
  });

  it('a compose port naming a variable is carried over as written: validate with and without it behaves as Compose does', async () => {
    const compose = path.join(dir, 'ports', 'docker-compose.yml');
    mkdirSync(path.dirname(compose), {recursive: true});
    writeFileSync(compose, 'services:\n  web:\n    image: nginx\n    ports:\n      - "${WEB_PORT:-8080}:80"\n      - "${API_PORT}:3000"\n');
    delete process.env.WEB_PORT;
    delete process.env.API_PORT;
    const imported = await sidecar(['import', compose]);
    expect(imported.code, imported.stderr).toBe(0);
    // Compose refuses the file without API_PORT (its port would have no host part): so does sidecar.yaml, so the import says so.
    expect(imported.stderr).toContain('warning: API_PORT is required by sidecar.yaml');
    const written = path.join(path.dirname(compose), 'sidecar.yaml');
    expect(readFileSync(written, 'utf8')).toContain('  ports:\n    - ${WEB_PORT:-8080}:80\n    - ${API_PORT}:3000\n');
    const without = await sidecar(['validate', '-f', written]);
    expect(without.code, without.stderr).toBe(3);
    expect(without.stderr).toMatch(/sidecar\.yaml:\d+:\d+ app\.ports\[1\]\n\s+API_PORT is not set/);
    const ports = async (vars: Record<string, string>) => (await sidecar(['generate', 'compose', '-f', written], vars)).stdout.match(/127\.0\.0\.1:\d+:\d+/g);
    expect(await ports({API_PORT: '9000'})).toEqual(['127.0.0.1:8080:80', '127.0.0.1:9000:3000']);
    expect(await ports({API_PORT: '9000', WEB_PORT: '9001'})).toEqual(['127.0.0.1:9001:80', '127.0.0.1:9000:3000']);
  });

  it('services behind a profile are left out with a comment naming the way to get them; COMPOSE_PROFILES brings them in, as for docker compose up', async () => {
    const fixture = path.join(ROOT, 'test/fixtures/import/compose/profiles-debug-tools.compose.yaml');
    const plain = await sidecar(['import', fixture, '-o', 'profiles/sidecar.yaml']);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stderr).toContain('services.phpmyadmin: left out, as `docker compose up` leaves it without --profile debug (profile debug); import with COMPOSE_PROFILES=debug to include it');
    const text = readFileSync(path.join(dir, 'profiles/sidecar.yaml'), 'utf8');
    expect(text).toContain('# not carried over: services.phpmyadmin: left out');
    expect(text).not.toContain('phpmyadmin:5.2');
    const debug = await sidecar(['import', fixture, '-o', 'profiles/sidecar.yaml', '--force', '--json'], {COMPOSE_PROFILES: 'debug'});
    expect(debug.code, debug.stdout).toBe(0);
    expect(readFileSync(path.join(dir, 'profiles/sidecar.yaml'), 'utf8')).toContain('image: phpmyadmin:5.2');
    expect(readFileSync(path.join(dir, 'profiles/sidecar.yaml'), 'utf8')).toContain('image: axllent/mailpit:v1.20');
  });
});
