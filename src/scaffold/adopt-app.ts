import {existsSync} from 'node:fs';
import path from 'node:path';
import {MAX_ENV_FILE_BYTES, readTextFile} from '../manifest/read-text-file.js';

export interface ExistingApp {
  // What makes it an app, for the message (`package.json`, `app.py`, `go.mod`, `Dockerfile`).
  found: string;
  // How it runs on this host; none when only a Dockerfile says how it runs.
  command?: string[];
  dockerfile: boolean;
}

const NODE_ENTRIES = ['server.js', 'index.js', 'app.js', 'main.js'];
const PYTHON_ENTRIES = ['app.py', 'main.py', 'server.py'];

// An app already in the directory (issue 8.9): `init` then writes only what is
// missing around it instead of the demo app. Found by the files a Node, Python
// or Go app has, or by a Dockerfile alone (then it runs under Docker only).
export function findExistingApp(dir: string): ExistingApp | undefined {
  const dockerfile = existsSync(path.join(dir, 'Dockerfile'));
  const app = nodeApp(dir) ?? pythonApp(dir) ?? goApp(dir);
  if (app) return {...app, dockerfile};
  return dockerfile ? {found: 'Dockerfile', dockerfile} : undefined;
}

function nodeApp(dir: string): {found: string; command: string[]} | undefined {
  const pkgFile = path.join(dir, 'package.json');
  const entry = NODE_ENTRIES.find((file) => existsSync(path.join(dir, file)));
  const hasPkg = existsSync(pkgFile);
  if (!hasPkg && !entry) return undefined;
  const pkg = hasPkg ? readPackage(pkgFile) : {};
  const start = typeof pkg.scripts?.start === 'string' ? pkg.scripts.start.trim() : undefined;
  // `node server.js` runs as is (no npm in between to forward signals); any other start script through npm.
  const direct = start === undefined ? undefined : /^node\s+([\w./-]+)$/.exec(start)?.[1];
  let command: string[];
  if (direct) command = ['node', direct];
  else if (start) command = ['npm', 'start'];
  else if (typeof pkg.main === 'string' && existsSync(path.join(dir, pkg.main))) command = ['node', pkg.main];
  else if (entry) command = ['node', entry];
  else command = ['npm', 'start'];
  return {found: hasPkg ? 'package.json' : entry!, command};
}

// python3, not python: the name every current distribution and macOS has.
function pythonApp(dir: string): {found: string; command: string[]} | undefined {
  const entry = PYTHON_ENTRIES.find((file) => existsSync(path.join(dir, file)));
  return entry ? {found: entry, command: ['python3', entry]} : undefined;
}

function goApp(dir: string): {found: string; command: string[]} | undefined {
  return existsSync(path.join(dir, 'go.mod')) ? {found: 'go.mod', command: ['go', 'run', '.']} : undefined;
}

// Read as every config file is (read-text-file.ts): a regular file of bounded size,
// so a `package.json` that is a FIFO or a device never stalls `init` (found by a new
// user's trial, which pointed it elsewhere through a link: reading is harmless, a
// read that never returns is not).
function readPackage(file: string): {scripts?: Record<string, unknown>; main?: unknown} {
  const read = readTextFile(file, file, MAX_ENV_FILE_BYTES);
  if (!read.ok) return {};
  try {
    const parsed = JSON.parse(read.text) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as {scripts?: Record<string, unknown>; main?: unknown}) : {};
  } catch {
    return {};
  }
}

// The manifest around an adopted app: it runs from the manifest's directory,
// gets PORT and is probed there; the sidecars added after it call that port.
export function adoptedManifest(project: string, app: ExistingApp): string {
  const image = app.dockerfile ? `  build: .\n  image: ${project}-app:dev\n` : '';
  const command = app.command ? `  command: [${app.command.map((part) => JSON.stringify(part)).join(', ')}]\n` : '';
  return `# The pod for ${project}: your app (adopted by \`sidecar init\`) and its sidecars,
# started together like a Kubernetes pod. \`sidecar up\` runs it.
version: 1
name: ${project}

app:
${image}${command}  env:
    # The port your app listens on: the probe below and the sidecars use it.
    PORT: "8080"
  health:
    tcp: {port: 8080}
  restart: on-failure
`;
}

export function adoptionNotes(app: ExistingApp): string[] {
  const runs = app.command
    ? `it runs as \`${app.command.join(' ')}\` with PORT=8080`
    : "it runs from its Dockerfile's CMD, under Docker only (the process runtime needs app.command: add one to run it on this host)";
  return [
    `adopted the app in this directory (${app.found}): ${runs}; if it listens elsewhere than 8080, change app.env.PORT and app.health in sidecar.yaml`,
    ...(app.dockerfile ? ['under Docker your app is built from ./Dockerfile and must listen on 0.0.0.0 (probes reach the pod address, not loopback)'] : []),
  ];
}
