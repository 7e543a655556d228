import {processesWithMark} from '../../helpers/proc-scan.js';
import {execFileSync} from 'node:child_process';
import {randomUUID} from 'node:crypto';
import {mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, statSync, unlinkSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {execa, type ResultPromise} from 'execa';
import {afterEach, beforeAll} from 'vitest';

export const root = fileURLToPath(new URL('../../../', import.meta.url));
export const programs = path.join(root, 'test/fixtures/programs');
const bin = path.join(root, 'bin/run.js');

// The tests run the BUILT CLI; rebuild once when src/ is newer than dist/.
export function ensureBuilt(): void {
  const newest = (dir: string): number =>
    Math.max(0, ...readdirSync(dir, {withFileTypes: true}).map((e) => (e.isDirectory() ? newest(path.join(dir, e.name)) : statSync(path.join(dir, e.name)).mtimeMs)));
  let built = -1;
  try {
    built = statSync(path.join(root, 'dist/host/supervisor-main.js')).mtimeMs;
  } catch {
    // Not built yet.
  }
  if (newest(path.join(root, 'src')) > built) execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], {cwd: root, stdio: 'ignore'});
}

export interface Project {
  dir: string;
  // Every process of this test carries SIDECAR_TEST_MARK=<mark> (manifest env and CLI env).
  mark: string;
  env: Record<string, string>;
}

// A temp project dir holding sidecar.yaml; `${MARK}` and `${PROGRAMS}` are filled in.
export function project(yaml: string, parent = os.tmpdir()): Project {
  mkdirSync(parent, {recursive: true});
  const dir = mkdtempSync(path.join(parent, 'sidecar-cli-'));
  const mark = randomUUID();
  writeFileSync(path.join(dir, 'sidecar.yaml'), yaml.replaceAll('${MARK}', mark).replaceAll('${PROGRAMS}', programs));
  return {dir, mark, env: {SIDECAR_TEST_MARK: mark, NO_COLOR: '1', CI: 'true'}};
}

// bin/run.js run as a program, as users run it: its sh line comes first (`down`
// without Node, bin/down.sh), then Node.
export function cli(p: Project, args: string[]): ResultPromise<{reject: false; cwd: string; env: Record<string, string>; all: true}> {
  return execa(bin, args, {reject: false, cwd: p.dir, env: p.env, all: true});
}

// Every Node start under the returned env (a --require hook, through NODE_OPTIONS),
// by its first two arguments: which commands ran Node, and which did not
// (`down` done by bin/run.js's sh line, bin/down.sh).
export function recordNodeStarts(p: Project): {env: Record<string, string>; nodeStarts: () => string[]} {
  const log = path.join(p.dir, 'node-starts.log');
  const hook = path.join(p.dir, 'node-starts.cjs');
  writeFileSync(log, '');
  writeFileSync(hook, `require('node:fs').appendFileSync(${JSON.stringify(log)}, process.argv.slice(1, 3).join(' ') + '\\n');\n`);
  return {env: {...p.env, NODE_OPTIONS: `--require ${hook}`}, nodeStarts: () => readFileSync(log, 'utf8').split('\n').filter(Boolean)};
}

// `events` is live only: an event before the stream's client has connected is
// not in it. Starts `events --json` and resolves once the supervisor holds a
// connection it did not hold before (an accepted unix socket carries the listening
// socket's path in /proc/net/unix, each with its own inode) for two polls in a
// row: the stream's, not its short `hello` before it. By inode, not by count: a
// connection closing meanwhile (the `up` just before) made a count wait forever.
// Wrapped in an object: a promise resolving to the (thenable) stream would wait for its end.
export async function eventsStream(p: Project, file?: string, json = true): Promise<{stream: ReturnType<typeof cli>}> {
  const socket = path.join(p.dir, '.sidecar', 'control.sock');
  const accepted = (): string[] =>
    readFileSync('/proc/net/unix', 'utf8').split('\n').filter((line) => line.endsWith(` ${socket}`)).map((line) => line.trim().split(/\s+/)[6]!);
  const before = new Set(accepted());
  const stream = cli(p, ['events', ...(json ? ['--json'] : []), ...(file ? ['-f', file] : [])]);
  let seen = new Set<string>();
  await eventually(() => {
    const fresh = accepted().filter((inode) => !before.has(inode));
    const held = fresh.some((inode) => seen.has(inode));
    seen = new Set(fresh);
    return held || stream.exitCode !== null;
  }, 30_000, 'the events stream to connect');
  return {stream};
}

// Live processes whose environment carries this test's mark, read from /proc:
// the test's own truth, not the CLI's bookkeeping.
export function survivors(mark: string): number[] {
  return processesWithMark(mark).filter((pid) => pid !== process.pid);
}

export async function eventually<T>(check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export {freePort} from '../../helpers/free-port.js';

export function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

// A test file's projects: the CLI is built once before the file, and every
// project handed to the returned function is brought down after each test.
export function trackProjects(): (p: Project) => Project {
  const live: Project[] = [];
  beforeAll(() => ensureBuilt(), 120_000);
  afterEach(async () => {
    for (const p of live.splice(0)) {
      if ((await cli(p, ['down', '--timeout', '1s'])).exitCode === 0) continue;
      // A test that planted a link in .sidecar/ (which `down` rightly refuses) left its stack up: unplant, then stop it.
      removeLinks(path.join(p.dir, '.sidecar'));
      await cli(p, ['down', '--timeout', '1s']);
    }
  });
  return (p) => {
    live.push(p);
    return p;
  };
}

// An app and one sidecar that run until stopped, each carrying the test's mark.
export function appAndSidecar(name: string, sidecar = 'proxy'): string {
  const forever = (indent: string) => `${indent}command: [node, \${PROGRAMS}/forever.js]\n${indent}env: {SIDECAR_TEST_MARK: "\${MARK}"}\n${indent}stopTimeout: 1s\n`;
  return `version: 1\nname: ${name}\napp:\n${forever('  ')}sidecars:\n  ${sidecar}:\n${forever('    ')}`;
}

// Processes whose command line holds `fragment` and whose working directory is `dir`
// (supervisors started ahead, waiting for their arguments).
export function processesIn(dir: string, fragment: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(fragment) && readlinkSync(`/proc/${pid}/cwd`) === dir;
      } catch {
        return false;
      }
    })
    .map(Number);
}

function removeLinks(dir: string): void {
  let entries;
  try {
    entries = readdirSync(dir, {withFileTypes: true});
  } catch {
    return;
  }
  for (const entry of entries) {
    const at = path.join(dir, entry.name);
    if (entry.isSymbolicLink()) unlinkSync(at);
    else if (entry.isDirectory()) removeLinks(at);
  }
}
