import {spawnSync} from 'node:child_process';
import {cpSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {execa} from 'execa';
import {freePort} from '../../helpers/free-port.js';

export const root = fileURLToPath(new URL('../../../', import.meta.url));
const bin = path.join(root, 'bin/run.js');

// The example as a fresh clone holds it: examples/mesh beside the templates its
// sidecars are built from (the manifest names them as ../../templates/...).
// A unique project name keeps parallel runs and other helpers' stacks apart.
export interface MeshCopy {
  root: string;
  dir: string;
  file: string;
  name: string;
}

export function meshCopy(): MeshCopy {
  const copy = mkdtempSync(path.join(os.tmpdir(), 'mesh-'));
  const name = `mesh-${path.basename(copy).slice(5).toLowerCase().replace(/[^a-z0-9]/g, '')}`;
  const noState = (source: string): boolean => !source.split(path.sep).includes('.sidecar');
  cpSync(path.join(root, 'examples/mesh'), path.join(copy, 'examples/mesh'), {recursive: true, filter: noState});
  for (const template of ['http-proxy', 'metrics-exporter']) {
    cpSync(path.join(root, 'templates', template), path.join(copy, 'templates', template), {recursive: true});
  }
  const dir = path.join(copy, 'examples/mesh');
  const file = path.join(dir, 'sidecar.yaml');
  writeFileSync(file, readFileSync(file, 'utf8').replace(/^name: mesh$/m, `name: ${name}`));
  return {root: copy, dir, file, name};
}

// Free ports for every *_PORT the manifest reads, so nothing else on the machine clashes.
export async function meshPorts(): Promise<Record<string, string>> {
  const names = ['ORDERS_PORT', 'EGRESS_PORT', 'EGRESS_ADMIN_PORT', 'INGRESS_PORT', 'INGRESS_ADMIN_PORT', 'PAYMENTS_PORT', 'EXPORTER_PORT'];
  const ports = new Set<number>();
  while (ports.size < names.length) ports.add(await freePort());
  return Object.fromEntries(names.map((name, index) => [name, String([...ports][index])]));
}

// What the README says to type: `sidecar run -f examples/mesh/sidecar.yaml -- node examples/mesh/smoke.js`.
export function runSmoke(mesh: MeshCopy, runtime: 'process' | 'docker', env: Record<string, string>) {
  return execa(process.execPath, [bin, 'run', '-f', 'examples/mesh/sidecar.yaml', '--runtime', runtime, '--', 'node', 'examples/mesh/smoke.js'], {
    cwd: mesh.root, env: {NO_COLOR: '1', CI: 'true', ...env}, reject: false, all: true, timeout: 300_000,
  });
}

export function sidecarCli(mesh: MeshCopy, args: string[], env: Record<string, string> = {}) {
  return execa(process.execPath, [bin, ...args, '-f', mesh.file], {cwd: mesh.root, env: {NO_COLOR: '1', CI: 'true', ...env}, reject: false, all: true, timeout: 120_000});
}

export function sh(argv: string[], options: {cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number} = {}): {status: number | null; stdout: string; stderr: string} {
  const result = spawnSync(argv[0]!, argv.slice(1), {encoding: 'utf8', cwd: options.cwd, env: {...process.env, ...options.env}, timeout: options.timeoutMs ?? 300_000});
  return {status: result.status, stdout: result.stdout ?? '', stderr: `${result.stderr ?? ''}${result.error ? ` (${result.error.message})` : ''}`};
}

// The images built for this copy (sidecar: `<project>-...`, compose: the file's `image:`), removed after the test.
export function removeImages(name: string): void {
  const images = sh(['docker', 'image', 'ls', '--format', '{{.Repository}}:{{.Tag}}', '--filter', `reference=${name}*`]).stdout.split('\n').filter(Boolean);
  if (images.length > 0) sh(['docker', 'image', 'rm', '-f', ...images]);
}
