import {cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {execa} from 'execa';
import {parse} from 'yaml';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {ensureBuilt, eventually, root} from '../cli/cli-harness.js';
import {processesWithMark} from '../../helpers/proc-scan.js';

// Issue 14.5: docs/ci.md's recipes run as written. The project is the
// quickstart with `npm test` = its smoke test and this package as a dev
// dependency from the packed tarball (what `npm ci` installs from a registry);
// each `run:`/`script:` line runs in bash as the CI system would run it, in order,
// `if: always()`/`failure()` and `after_script` honoured. Ports are moved through
// the quickstart's own variables so this test shares no port with the others.
interface GithubStep {
  run?: string;
  uses?: string;
  if?: string;
  env?: Record<string, string>;
}
const doc = readFileSync(path.join(root, 'docs/ci.md'), 'utf8');
const blocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => parse(m[1]!) as Record<string, unknown>);
let tarball: string;
let work: string;

beforeAll(async () => {
  ensureBuilt();
  work = mkdtempSync(path.join(os.tmpdir(), 'sidecar-ci-docs-'));
  const packed = await execa('npm', ['pack', '--ignore-scripts', '--pack-destination', work, '--silent'], {cwd: root});
  tarball = path.join(work, packed.stdout.trim().split('\n').at(-1)!);
}, 120_000);

const checkouts: {dir: string; env: Record<string, string>}[] = [];
afterAll(async () => {
  // A recipe cut short (a step that hung, a timed-out test) must not leave its stack running.
  for (const {dir, env} of checkouts) await execa(process.execPath, [path.join(root, 'bin/run.js'), 'down', '--timeout', '5s'], {cwd: dir, env, reject: false});
  if (work) rmSync(work, {recursive: true, force: true});
}, 60_000);

// A fresh checkout of the user's project, with a lock file (as a repository has).
async function checkout(name: string, ports: Record<string, string>): Promise<{dir: string; mark: string; env: Record<string, string>}> {
  const dir = path.join(work, name);
  cpSync(path.join(root, 'examples/quickstart'), dir, {recursive: true, filter: (src) => !src.includes(`${path.sep}.sidecar`)});
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({name: `ci-${name}`, private: true, scripts: {test: 'node smoke.js'}, devDependencies: {'sidecar-pod': `file:${tarball}`}}, null, 2));
  const lock = await execa('npm', ['install', '--package-lock-only', '--no-audit', '--no-fund', '--prefer-offline'], {cwd: dir, reject: false, all: true});
  if (lock.exitCode !== 0) throw new Error(`npm could not lock the project: ${lock.all}`);
  const mark = `ci-docs-${name}-${process.pid}`;
  const env = {...process.env, ...ports, SIDECAR_TEST_MARK: mark, CI: 'true'} as Record<string, string>;
  checkouts.push({dir, env});
  return {dir, mark, env};
}

async function step(command: string, dir: string, env: Record<string, string>): Promise<{exitCode: number; all: string}> {
  const run = await execa('bash', ['-e', '-o', 'pipefail', '-c', command], {cwd: dir, env, reject: false, all: true, timeout: 300_000});
  return {exitCode: run.exitCode ?? 1, all: String(run.all ?? '')};
}

describe('docs/ci.md, run verbatim', () => {
  it('shows one GitHub Actions workflow and one GitLab CI job', () => {
    expect(blocks).toHaveLength(2);
    expect(Object.keys(blocks[0]!)).toEqual(expect.arrayContaining(['jobs']));
    expect(Object.keys(blocks[1]!)).toEqual(['integration']);
  });

  it('GitHub Actions: up --wait --json, the env handed on through $GITHUB_ENV, tests, down always', async () => {
    const job = Object.values((blocks[0] as {jobs: Record<string, {env?: Record<string, string>; steps: GithubStep[]}>}).jobs)[0]!;
    const {dir, mark, env} = await checkout('github', {APP_PORT: '28281', PROXY_PORT: '28280', TAILER_PORT: '28290'});
    const githubEnv = path.join(dir, '.github-env');
    writeFileSync(githubEnv, '');
    let failed = false;
    const ran: string[] = [];
    for (const s of job.steps) {
      if (!s.run) continue;
      const condition = s.if ?? 'success()';
      if ((condition === 'success()' && failed) || (condition === 'failure()' && !failed)) continue;
      const handedOn = Object.fromEntries(readFileSync(githubEnv, 'utf8').split('\n').filter(Boolean).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
      const result = await step(s.run, dir, {...env, ...job.env, ...handedOn, ...s.env, GITHUB_ENV: githubEnv});
      ran.push(`${s.run.split('\n')[0]} -> ${result.exitCode}`);
      if (result.exitCode !== 0) {
        failed = true;
        console.log(`step failed: ${s.run}\n${result.all}`);
      }
    }
    expect(failed, ran.join('\n')).toBe(false);
    expect(ran.map((r) => r.split(' -> ')[0])).toEqual(['npm ci', 'npx sidecar up --wait --timeout 120s --json > stack.json', 'npm test', 'npx sidecar down --volumes --timeout 30s']);
    const stack = JSON.parse(readFileSync(path.join(dir, 'stack.json'), 'utf8'));
    expect(stack).toMatchObject({project: 'quickstart', runtime: 'process', ready: true, env: {SIDECAR_PROXY_PORT: '28280'}});
    expect(readFileSync(githubEnv, 'utf8')).toContain('SIDECAR_PROXY_PORT=28280');
    await eventually(() => processesWithMark(mark).length === 0, 15_000, 'nothing left running');
  }, 300_000);

  it('GitLab CI: before_script, run -- npm test, after_script', async () => {
    const job = (blocks[1] as {integration: {variables: Record<string, string>; before_script: string[]; script: string[]; after_script: string[]}}).integration;
    const {dir, mark, env} = await checkout('gitlab', {APP_PORT: '28381', PROXY_PORT: '28380', TAILER_PORT: '28390'});
    const jobEnv = {...env, ...job.variables};
    const outcomes: string[] = [];
    let failed = false;
    for (const line of [...job.before_script, ...job.script]) {
      if (failed) break;
      const result = await step(line, dir, jobEnv);
      outcomes.push(`${line} -> ${result.exitCode}`);
      if (result.exitCode !== 0) {
        failed = true;
        console.log(`script line failed: ${line}\n${result.all}`);
      }
    }
    for (const line of job.after_script) outcomes.push(`${line} -> ${(await step(line, dir, jobEnv)).exitCode}`);
    expect(outcomes).toEqual(['npm ci --cache .npm --prefer-offline -> 0', 'npx sidecar run -- npm test -> 0', 'npx sidecar down --volumes --timeout 30s -> 0']);
    expect(existsSync(path.join(dir, '.npm'))).toBe(true);
    await eventually(() => processesWithMark(mark).length === 0, 15_000, 'nothing left running');
  }, 300_000);
});
