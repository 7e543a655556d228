import {existsSync, readFileSync} from 'node:fs';
import path from 'node:path';

export interface ExistingApp {
  // What makes it an app, for the message (`package.json`, `server.js`).
  found: string;
  command: string[];
  dockerfile: boolean;
}

const ENTRY_FILES = ['server.js', 'index.js', 'app.js', 'main.js'];

// An app already in the directory (issue 8.9): `init` then writes only what is
// missing around it instead of the demo app. Found by the files a Node app has.
export function findExistingApp(dir: string): ExistingApp | undefined {
  const pkgFile = path.join(dir, 'package.json');
  const entry = ENTRY_FILES.find((file) => existsSync(path.join(dir, file)));
  const hasPkg = existsSync(pkgFile);
  if (!hasPkg && !entry) return undefined;
  const dockerfile = existsSync(path.join(dir, 'Dockerfile'));
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
  return {found: hasPkg ? 'package.json' : entry!, command, dockerfile};
}

function readPackage(file: string): {scripts?: Record<string, unknown>; main?: unknown} {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as {scripts?: Record<string, unknown>; main?: unknown}) : {};
  } catch {
    return {};
  }
}

// The manifest around an adopted app: it runs from the manifest's directory,
// gets PORT and is probed there; the sidecars added after it call that port.
export function adoptedManifest(project: string, app: ExistingApp): string {
  const image = app.dockerfile ? `  build: .\n  image: ${project}-app:dev\n` : '';
  return `# The pod for ${project}: your app (adopted by \`sidecar init\`) and its sidecars,
# started together like a Kubernetes pod. \`sidecar up\` runs it.
version: 1
name: ${project}

app:
${image}  command: [${app.command.map((part) => JSON.stringify(part)).join(', ')}]
  env:
    # The port your app listens on: the probe below and the sidecars use it.
    PORT: "8080"
  health:
    tcp: {port: 8080}
  restart: on-failure
`;
}

export function adoptionNotes(app: ExistingApp): string[] {
  return [
    `adopted the app in this directory (${app.found}): it runs as \`${app.command.join(' ')}\` with PORT=8080; if it listens elsewhere, change app.env.PORT and app.health in sidecar.yaml`,
    ...(app.dockerfile ? ['under Docker your app is built from ./Dockerfile and must listen on 0.0.0.0 (probes reach the pod address, not loopback)'] : []),
  ];
}
