import {beforeAll, describe, expect, it} from 'vitest';
import {cli, ensureBuilt, project} from './cli-harness.js';

// Issue 8 point 11: every usage error points to `sidecar help`, so it must work;
// unknown commands get a did-you-mean instead of oclif's bare "not found".
beforeAll(() => ensureBuilt(), 120_000);
const p = project('version: 1\nname: helpme\napp:\n  command: [node, -e, "0"]\n');

describe('help', () => {
  it('`sidecar help` lists every command and exits 0', async () => {
    const help = await cli(p, ['help']);
    expect(help.exitCode, help.all).toBe(0);
    for (const command of ['up', 'down', 'ps', 'logs', 'run', 'exec', 'validate', 'init']) expect(help.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
  });

  it('`sidecar help up`, `sidecar up --help` and `sidecar up -h` show the flags of up', async () => {
    for (const args of [['help', 'up'], ['up', '--help'], ['up', '-h']]) {
      const help = await cli(p, args);
      expect(help.exitCode, `${args.join(' ')}: ${help.all}`).toBe(0);
      expect(help.stdout).toContain('--detach');
      expect(help.stdout).toContain('--wait');
    }
  });

  it('run and exec show `-- CMD` in their usage', async () => {
    const run = await cli(p, ['help', 'run']);
    expect(run.exitCode, run.all).toBe(0);
    expect(run.stdout).toMatch(/sidecar run .*-- CMD/);
    const exec = await cli(p, ['exec', '--help']);
    expect(exec.exitCode, exec.all).toBe(0);
    expect(exec.stdout).toMatch(/sidecar exec .*SERVICE.* -- CMD/);
  });

  it('an unknown command is a usage error with the closest command', async () => {
    const typo = await cli(p, ['upp']);
    expect(typo.exitCode, typo.all).toBe(2);
    expect(typo.stderr).toContain('SIDECAR_USAGE');
    expect(typo.stderr).toContain('did you mean `sidecar up`');
    // A word from other tools maps to ours.
    const stop = await cli(p, ['stop']);
    expect(stop.exitCode, stop.all).toBe(2);
    expect(stop.stderr).toContain('did you mean `sidecar down`');
    const nothing = await cli(p, ['zzzzzz']);
    expect(nothing.exitCode, nothing.all).toBe(2);
    expect(nothing.stderr).toContain('sidecar help');
    expect(nothing.stderr).not.toContain('did you mean');
    // A wrong flag points to the help of the command it was given to.
    const flagTypo = await cli(p, ['up', '--hlep']);
    expect(flagTypo.exitCode, flagTypo.all).toBe(2);
    expect(flagTypo.stderr).toContain('fix: see `sidecar help up`');
    const helpTypo = await cli(p, ['help', 'upp']);
    expect(helpTypo.exitCode, helpTypo.all).toBe(2);
    expect(helpTypo.stderr).toContain('did you mean `sidecar up`');
  });

  it('a bad SIDECAR_RUNTIME is named as the variable, not as a --runtime the user never typed', async () => {
    // Found by a new user's trial: "Expected --runtime=bogus to be one of: ...".
    for (const args of [['up', '-d'], ['up'], ['run', '--', 'true']]) {
      const result = await cli({...p, env: {...p.env, SIDECAR_RUNTIME: 'bogus'}}, args);
      expect(result.exitCode, result.all).toBe(2);
      expect(result.stderr).toContain('SIDECAR_RUNTIME=bogus is not one of: auto, docker, process');
      expect(result.stderr).toContain('unset SIDECAR_RUNTIME');
    }
    // Typed, it is the flag's value as ever.
    const typed = await cli({...p, env: {...p.env, SIDECAR_RUNTIME: 'bogus'}}, ['up', '--runtime', 'bogus']);
    expect(typed.exitCode, typed.all).toBe(2);
    expect(typed.stderr).toContain('Expected --runtime=bogus');
  });

  it('a switch given a value is a usage error saying so, not a service named "true"', async () => {
    // Found by a new user's trial: `up --wait=true` said `no service named "true"`.
    for (const [args, said, fix] of [
      [['up', '--wait=true', '--runtime', 'process'], '--wait is a switch and takes no value (given --wait=true)', '`--wait` alone turns it on'],
      [['down', '--volumes=yes'], '--volumes is a switch and takes no value (given --volumes=yes)', '`--volumes` alone turns it on'],
      [['generate', 'k8s', '--native-sidecars=false'], '--native-sidecars is a switch', '`--no-native-sidecars` off'],
    ] as const) {
      const result = await cli(p, [...args]);
      expect(result.exitCode, result.all).toBe(2);
      expect(result.stderr).toContain(said);
      expect(result.stderr).toContain(fix);
      expect(result.stderr).not.toContain('no service named');
    }
    // After `--`, words are the command's own.
    const run = await cli(p, ['run', '--runtime', 'process', '--', 'sh', '-c', 'test "$1" = --json=1', 'sh', '--json=1']);
    expect(run.exitCode, run.all).toBe(0);
  });

  it('our command followed by words it does not take says so, not "is not a sidecar command"', async () => {
    // Found by a new user's trial: `sidecar down extra` said `"down" is not a sidecar
    // command`, fix: did you mean `sidecar down`?
    for (const [args, said] of [
      [['down', 'extra'], 'unexpected argument to `sidecar down`: extra'],
      [['ps', 'a', 'b'], 'unexpected arguments to `sidecar ps`: a b'],
      [['validate', 'extra'], 'unexpected argument to `sidecar validate`: extra'],
    ] as const) {
      const result = await cli(p, [...args]);
      expect(result.exitCode, result.all).toBe(2);
      expect(result.stderr).toContain(said);
      expect(result.stderr).toContain(`\`sidecar ${args[0]} --help\` shows what it takes`);
      expect(result.stderr).not.toContain('is not a sidecar command');
    }
  });

  it('--version still answers, with the package name and version that --help shows', async () => {
    const version = await cli(p, ['--version']);
    expect(version.exitCode).toBe(0);
    expect(version.stdout).toMatch(/^sidecar-pod\/\d+\.\d+\.\d+ /);
    const help = await cli(p, ['--help']);
    expect(help.stdout).toContain(version.stdout.split(' ')[0]);
  });
});
