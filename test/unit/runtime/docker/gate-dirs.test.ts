import {execFileSync} from 'node:child_process';
import {existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {GATE_BINARIES} from '../../../../src/runtime/docker/gate-binary.js';
import {GateDirs} from '../../../../src/runtime/docker/start-gate.js';

// Where a supervisor keeps its start gates (start-gate.ts): a private directory
// outside the project (a container that mounts the project must not reach a
// FIFO: opening one runs its program out of turn, found by a trial), every gate
// in a directory of its own that any container user can enter, and a note in
// .sidecar/ so the next supervisor removes what a killed one left; never anything else.
// The real gate: a root is taken only where it can be run (usage, exit 127).
const binary = Buffer.from(GATE_BINARIES.x86_64 ?? '', 'base64');
let base: string;
let project: string;
let saved: string | undefined;

beforeEach(() => {
  saved = process.env.XDG_RUNTIME_DIR;
  base = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'gate-base-')));
  process.env.XDG_RUNTIME_DIR = base;
  project = mkdtempSync(path.join(os.tmpdir(), 'gate-project-'));
});

afterEach(() => {
  if (saved === undefined) delete process.env.XDG_RUNTIME_DIR;
  else process.env.XDG_RUNTIME_DIR = saved;
  rmSync(base, {recursive: true, force: true});
  rmSync(project, {recursive: true, force: true});
});

const mode = (file: string): number => lstatSync(file).mode & 0o777;

describe.skipIf(process.platform !== 'linux' || process.arch !== 'x64')('GateDirs', () => {
  it('makes each gate outside the project, in a private root, with the binary and a FIFO any container user can use', async () => {
    const dirs = new GateDirs(project);
    const made = await dirs.make(binary, ['a', 'b']);
    const a = made.get('a')!;
    const root = path.dirname(a.dir);
    expect(path.dirname(root)).toBe(base);
    expect(path.basename(root)).toMatch(/^sidecar-gates-/);
    expect(a.dir.startsWith(project)).toBe(false);
    expect(mode(root)).toBe(0o700);
    expect(mode(a.dir)).toBe(0o755);
    expect(lstatSync(a.fifo).isFIFO()).toBe(true);
    expect(mode(a.fifo)).toBe(0o622);
    expect(mode(path.join(a.dir, 'gate'))).toBe(0o755);
    expect(readFileSync(path.join(a.dir, 'gate'))).toEqual(binary);
    expect(made.get('b')!.dir).not.toBe(a.dir);
    expect(readFileSync(path.join(project, '.sidecar', 'gates-dir'), 'utf8').trim()).toBe(root);
    // A second batch: the same root, new directories.
    const again = await dirs.make(binary, ['a']);
    expect(path.dirname(again.get('a')!.dir)).toBe(root);
    expect(again.get('a')!.dir).not.toBe(a.dir);
    dirs.remove(a);
    expect(existsSync(a.dir)).toBe(false);
    dirs.removeAll();
    expect(existsSync(root)).toBe(false);
    expect(existsSync(path.join(project, '.sidecar', 'gates-dir'))).toBe(false);
  });

  it('removes the root a killed supervisor left, as its note names it', async () => {
    const first = await new GateDirs(project).make(binary, ['a']);
    const left = path.dirname(first.get('a')!.dir);
    await new GateDirs(project).make(binary, ['a']);
    expect(existsSync(left)).toBe(false);
  });

  it('removes nothing a note names that is not a gate root of ours', async () => {
    mkdirSync(path.join(project, '.sidecar'), {mode: 0o700});
    const note = path.join(project, '.sidecar', 'gates-dir');
    const victim = mkdtempSync(path.join(base, 'other-'));
    const prefixedElsewhere = mkdtempSync(path.join(project, 'sidecar-gates-'));
    const link = path.join(base, 'sidecar-gates-link');
    symlinkSync(victim, link);
    for (const named of [victim, prefixedElsewhere, link, '/', 'relative/sidecar-gates-x']) {
      writeFileSync(note, `${named}\n`);
      const dirs = new GateDirs(project);
      await dirs.make(binary, ['a']);
      expect(existsSync(victim), named).toBe(true);
      expect(existsSync(prefixedElsewhere), named).toBe(true);
      expect(lstatSync(link).isSymbolicLink(), named).toBe(true);
      dirs.removeAll();
    }
  });

  // A trial: with XDG_RUNTIME_DIR on a noexec mount, podman kept noexec on the
  // bind and every gated start failed and was made again (2.3 s for 0.4 s).
  it('passes over a base where programs cannot be run (noexec)', async (context) => {
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'noexec,nosuid,nodev,mode=700', 'tmpfs', base], {stdio: 'ignore'});
    } catch {
      context.skip('needs root to mount a noexec tmpfs');
      return;
    }
    try {
      const dirs = new GateDirs(project);
      const made = await dirs.make(binary, ['a']);
      const root = path.dirname(made.get('a')!.dir);
      expect(path.dirname(root)).not.toBe(base);
      expect(path.basename(root)).toMatch(/^sidecar-gates-/);
      dirs.removeAll();
      expect(existsSync(root)).toBe(false);
    } finally {
      execFileSync('umount', [base], {stdio: 'ignore'});
    }
  });

  it('does not follow a link put in place of the note', async () => {
    mkdirSync(path.join(project, '.sidecar'), {mode: 0o700});
    const target = path.join(base, 'target');
    writeFileSync(target, 'keep');
    symlinkSync(target, path.join(project, '.sidecar', 'gates-dir'));
    await expect(new GateDirs(project).make(binary, ['a'])).rejects.toThrow();
    expect(readFileSync(target, 'utf8')).toBe('keep');
  });
});
