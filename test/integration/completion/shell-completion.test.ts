import {mkdtempSync, symlinkSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {execa, execaSync} from 'execa';
import {beforeAll, describe, expect, it} from 'vitest';
import {ensureBuilt, root} from '../cli/cli-harness.js';

// Issue 14.3: the scripts `sidecar autocomplete` prints, loaded into the real
// shells, complete commands, flag values, the manifest's services and templates.
let dir: string;
let env: Record<string, string>;

const hasZsh = (() => {
  try {
    execaSync('zsh', ['--version']);
    return true;
  } catch {
    return false;
  }
})();

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(path.join(os.tmpdir(), 'sidecar-complete-'));
  const bin = path.join(dir, 'bin');
  execaSync('mkdir', [bin]);
  symlinkSync(path.join(root, 'bin/run.js'), path.join(bin, 'sidecar'));
  writeFileSync(path.join(dir, 'sidecar.yaml'), 'version: 1\nname: shop\napp: {command: [node, app.js]}\nsidecars:\n  proxy: {command: [node, proxy.js]}\n  metrics: {command: [node, metrics.js]}\n');
  env = {PATH: `${bin}:${process.env.PATH}`, HOME: dir};
}, 120_000);

async function bash(words: string[]): Promise<string[]> {
  const script = `source <(sidecar autocomplete bash)
COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}
_sidecar_complete; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const run = await execa('bash', ['-c', script], {cwd: dir, env, reject: false, all: true});
  expect(run.exitCode, run.all).toBe(0);
  return run.stdout.split('\n').filter(Boolean);
}

describe('shell completion in real shells', () => {
  it('bash: commands, services from sidecar.yaml, flag values, templates', async () => {
    expect(await bash(['sidecar', 're'])).toEqual(['restart']);
    expect(await bash(['sidecar', 'restart', ''])).toEqual(['app', 'metrics', 'proxy']);
    expect(await bash(['sidecar', 'logs', '-f', 'p'])).toEqual(['proxy']);
    expect(await bash(['sidecar', 'up', '--runtime', ''])).toEqual(['auto', 'docker', 'process']);
    expect(await bash(['sidecar', 'new', 'http'])).toEqual(['http-proxy']);
    expect(await bash(['sidecar', 'exec', 'app', '--', ''])).toEqual([]);
  });

  it.skipIf(!hasZsh && process.env.CI !== 'true')('zsh: the script parses and offers the same candidates (zsh installed by .ci/engines.sh)', async () => {
    const check = await execa('zsh', ['-n', '-c', (await execa(process.execPath, [path.join(root, 'bin/run.js'), 'autocomplete', 'zsh'])).stdout], {reject: false, all: true});
    expect(check.exitCode, check.all).toBe(0);
    const script = `compdef() { : }
compadd() { [[ $1 == -a ]] && print -l -- "\${(@P)2}" }
_files() { print -- FILES }
eval "$(sidecar autocomplete zsh)"
words=(sidecar restart ''); CURRENT=3; _sidecar
words=(sidecar up --runtime d); CURRENT=4; _sidecar
words=(sidecar exec app -- ''); CURRENT=5; _sidecar`;
    const run = await execa('zsh', ['-f', '-c', script], {cwd: dir, env, reject: false, all: true});
    expect(run.exitCode, run.all).toBe(0);
    expect(run.stdout.split('\n')).toEqual(['app', 'metrics', 'proxy', 'docker', 'FILES']);
  });

  // Found by a new user's trial: with SHELL=/usr/bin/fish the bash script was printed without a word.
  it('a $SHELL it writes no script for is a usage error; bash and zsh by $SHELL', async () => {
    const autocomplete = (shell: string) => execa(process.execPath, [path.join(root, 'bin/run.js'), 'autocomplete'], {cwd: dir, env: {...env, SHELL: shell}, reject: false, all: true});
    const fish = await autocomplete('/usr/bin/fish');
    expect(fish.exitCode, fish.all).toBe(2);
    expect(fish.stderr).toContain('no completion script for fish (from $SHELL=/usr/bin/fish)');
    expect((await autocomplete('/bin/zsh')).stdout).toContain('compdef');
    expect((await autocomplete('/bin/bash')).stdout).toContain('complete -');
  });

  it('answers a Tab without oclif: __complete is on the fast path', async () => {
    const run = await execa(process.execPath, [path.join(root, 'bin/run.js'), '__complete', 'up', ''], {cwd: dir, env, reject: false, all: true});
    expect(run.exitCode, run.all).toBe(0);
    expect(run.stdout.split('\n')).toEqual(['app', 'metrics', 'proxy']);
  });
});
