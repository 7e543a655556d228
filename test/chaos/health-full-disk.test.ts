import {mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {readLogs} from '../../src/logs/log-reader.js';
import {LogStore} from '../../src/logs/log-store.js';
import {cli, eventually, project, survivors, type Project} from '../integration/cli/cli-harness.js';
import {fill, root, useTinyDisk} from './tiny-disk.js';

// Issue 9 point 6: ENOSPC on a log write crashed the supervisor, and every
// service with it, while state.json still said "ready". Now a log write that
// fails drops the lines, counts them, says so once, and writing resumes when
// space returns (journald's "Suppressed N messages", Docker's json-file driver
// keeps the container running too). Runs for real on a 256 KiB tmpfs: needs root.
const disk = useTinyDisk('sc-disk-');
const live = disk.live;

interface Ps {
  supervisor: {pid: number} | null;
  services: {name: string; state: string; pid: number | null; logsDropped?: number}[];
}

async function ps(p: Project): Promise<Ps> {
  const result = await cli(p, ['ps', '--json']);
  expect(result.exitCode, result.all).toBe(0);
  return JSON.parse(result.stdout) as Ps;
}

describe.runIf(root || process.env.CI === 'true')('chaos: full disk', () => {
  it('services keep running, ps answers, the loss is counted, writing resumes once space is back', async () => {
    const parent = path.join(disk.mountPoint(), 'p');
    mkdirSync(parent);
    const p = project(`version: 1
name: disk
app:
  command: [node, \${PROGRAMS}/ticker.js]
  env: {INTERVAL: "10", SIDECAR_TEST_MARK: "\${MARK}"}
  stopTimeout: 2s
sidecars:
  chatty:
    command: [node, \${PROGRAMS}/ticker.js]
    env: {INTERVAL: "10", SIDECAR_TEST_MARK: "\${MARK}"}
    stopTimeout: 2s
`, parent);
    live.push(p);
    const up = await cli(p, ['up', '--wait', '--runtime', 'process']);
    expect(up.exitCode, up.all).toBe(0);
    const before = await ps(p);
    const filler = fill(disk.mountPoint());

    // A full disk for a while: every flush of both services' logs fails.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const during = await ps(p);
    expect(during.supervisor?.pid).toBe(before.supervisor?.pid);
    for (const [i, service] of during.services.entries()) {
      expect(service.state).toBe('running');
      expect(service.pid).toBe(before.services[i]!.pid);
      expect(service.logsDropped ?? 0).toBeGreaterThan(0);
    }
    console.log(`dropped while full: ${during.services.map((s) => `${s.name} ${s.logsDropped}`).join(', ')}`);

    rmSync(filler);
    // Writing resumes: the log says how much was lost, then carries new lines.
    const resumed = await eventually(async () => {
      const logs = await cli(p, ['logs', 'app']);
      const lines = logs.stdout.split('\n');
      const note = lines.findIndex((line) => /^app \| \[sidecar\] \d+ lines? \(\d+ bytes\) of this service's output (was|were) dropped: no space left on device \(ENOSPC\)$/.test(line));
      return note >= 0 && lines.slice(note + 1).some((line) => /^app \| tick \d+$/.test(line)) ? lines[note] : undefined;
    }, 20_000, 'the log to resume with a note of the loss');
    console.log(`after space returned: ${resumed}`);
    const after = await ps(p);
    expect(after.supervisor?.pid).toBe(before.supervisor?.pid);
    expect(after.services.map((s) => s.state)).toEqual(['running', 'running']);

    expect(readFileSync(path.join(p.dir, '.sidecar/supervisor.log'), 'utf8')).toMatch(/app: writing its log again; \d+ lines \(\d+ bytes\) were dropped \(no space left on device \(ENOSPC\)\)/);

    const down = await cli(p, ['down']);
    expect(down.exitCode, down.all).toBe(0);
    expect(survivors(p.mark)).toEqual([]);
  }, 120_000);

  it('LogStore on a full disk: no torn line, every line either in the file or counted, a note when it resumes', () => {
    const dir = path.join(disk.mountPoint(), 'store');
    const events: string[] = [];
    const store = new LogStore(dir, undefined, {lossBegan: (service, reason) => events.push(`began ${service} ${reason}`), lossEnded: (loss) => events.push(`ended ${loss.service} ${loss.lines}`)});
    let n = 0;
    // `readAt`: when the supervisor read the lines; under load they reach the store's flush later.
    const write = (count: number, readAt = Date.now()): void => {
      for (let i = 0; i < count; i++) store.write({service: 'svc', stream: 'stdout', line: `line ${n++} ${'x'.repeat(40)}`, time: readAt});
      store.flush();
    };
    write(100, Date.now() - 1000);
    // One page of room left: a 64 KiB flush writes part of itself, then ENOSPC.
    writeFileSync(path.join(disk.mountPoint(), 'page'), Buffer.alloc(4096));
    const filler = fill(disk.mountPoint());
    rmSync(path.join(disk.mountPoint(), 'page'));
    write(3000);
    expect(events).toEqual(['began svc no space left on device (ENOSPC)']);
    const whileFull = readLogs(dir, {services: ['svc']}).map((l) => l.line);
    for (const line of whileFull) expect(line).toMatch(/^line \d+ x{40}$/);
    expect(whileFull.length + store.dropped('svc')).toBe(n);
    rmSync(filler);
    // Read before the flush that writes them (a loaded machine; CI saw it): the note still comes first.
    write(10, Date.now() - 50);
    store.close();
    const after = readLogs(dir, {services: ['svc']}).map((l) => l.line);
    const note = after.findIndex((line) => line.startsWith(`[sidecar] ${store.dropped('svc')} lines (`) && line.endsWith(" bytes) of this service's output were dropped: no space left on device (ENOSPC)"));
    expect(note, after.slice(-12).join('\n')).toBe(whileFull.length);
    expect(after.slice(note + 1)).toEqual(Array.from({length: 10}, (_v, i) => `line ${n - 10 + i} ${'x'.repeat(40)}`));
    expect(events).toEqual(['began svc no space left on device (ENOSPC)', `ended svc ${store.dropped('svc')}`]);
  });
});
