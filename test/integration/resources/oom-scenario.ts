import {writeFileSync} from 'node:fs';
import path from 'node:path';
import {expect} from 'vitest';
import {cli, eventually, programs, project, type Project} from '../cli/cli-harness.js';

// Issue 12.4, through the built CLI and the detached supervisor: a sidecar with
// `resources.memory` grows past it; the kill is exitCode 137 + reason oom in
// `ps --json` and an `oom` event; it restarts per its policy (maxRestarts 1: one
// restart, then the second kill turns it failed), and the app is never touched.
export interface OomCase {
  runtime: 'docker' | 'process';
  // The manifest (or Kubernetes YAML) for `name` in `dir`; ${PROGRAMS} and ${MARK} are filled in.
  yaml: (name: string, dir: string) => string;
  env?: Record<string, string>;
  // The ids of the app and of the hog (`POD/NAME` when the file has pods).
  ids?: {app: string; hog: string};
  // `maxRestarts`: the hog has maxRestarts 1 and ends failed; `always`: it has no
  // cap (Kubernetes has none) and keeps being killed and restarted.
  policy?: 'maxRestarts' | 'always';
}

interface Status {
  name: string;
  state: string;
  restarts: number;
  pid: number | null;
  exitCode: number | null;
  reason?: string;
}

interface Event {
  service: string;
  type: string;
  to?: string;
  detail?: string;
}

export async function oomScenario(c: OomCase, name: string, track: (p: Project) => Project): Promise<void> {
  const p = track(project(''));
  writeFileSync(path.join(p.dir, 'sidecar.yaml'), c.yaml(name, p.dir).replaceAll('${MARK}', p.mark).replaceAll('${PROGRAMS}', programs));
  p.env = {...p.env, ...c.env};
  const ids = c.ids ?? {app: 'app', hog: 'hog'};
  const hogEvent = `"service":${JSON.stringify(ids.hog)},"type":"state"`;
  const up = await cli(p, ['up', '--wait', '--runtime', c.runtime]);
  expect(up.exitCode, up.all).toBe(0);
  const ps = async (): Promise<Status[]> => (JSON.parse((await cli(p, ['ps', '--json'])).stdout) as {services: Status[]}).services;
  const appBefore = (await ps()).find((s) => s.name === ids.app)!;

  // `events` is live only: subscribe, and see a first event (a restart of the
  // hog while it still waits for its trigger) before letting it grow.
  const stream = cli(p, ['events', '--json']);
  let seen = '';
  stream.stdout!.on('data', (chunk: Buffer) => (seen += chunk.toString()));
  await eventually(async () => {
    if (seen.includes(hogEvent)) return true;
    await cli(p, ['restart', ids.hog]);
    return seen.includes(hogEvent);
  }, 60_000, 'the events stream to carry a hog event');
  writeFileSync(path.join(p.dir, 'go'), '');

  const killed = (s: Status): boolean => s.name === ids.hog && s.exitCode === 137 && s.reason === 'oom';
  // Killed twice is two oom events: `restarts` alone also counts the `restart` above.
  const oomsSeen = (): number => seen.split('\n').filter((line) => line.includes(`"service":${JSON.stringify(ids.hog)}`) && line.includes('"type":"oom"')).length;
  const hog = await eventually(async () => (await ps()).find((s) => (c.policy === 'always' ? killed(s) && s.restarts >= 1 && oomsSeen() >= 2 : s.name === ids.hog && s.state === 'failed')), 90_000, 'the hog to be killed, restarted and killed again');
  // Uncapped, it is seen between a kill and its next run (backoff, or starting again).
  expect(hog).toMatchObject({state: c.policy === 'always' ? expect.stringMatching(/^(backoff|starting)$/) : 'failed', exitCode: 137, reason: 'oom'});
  const app = (await ps()).find((s) => s.name === ids.app)!;
  expect(app).toMatchObject({state: 'running', restarts: 0, exitCode: null});
  expect(app.pid ?? null).toBe(appBefore.pid ?? null);

  const down = await cli(p, ['down', '--timeout', '1s']);
  expect(down.exitCode, down.all).toBe(0);
  await stream;
  const events = seen.trim().split('\n').map((line) => JSON.parse(line) as Event).filter((e) => e.service === ids.hog);
  const ooms = events.filter((e) => e.type === 'oom');
  const oomDetail = 'killed for exceeding its memory limit of 96Mi (exit code 137)';
  if (c.policy === 'always') {
    expect(ooms.length).toBeGreaterThanOrEqual(2);
    for (const oom of ooms) expect(oom.detail).toBe(oomDetail);
  } else expect(ooms.map((e) => e.detail)).toEqual([oomDetail, oomDetail]);
  // The restart in between is the policy's, for the memory kill.
  const afterFirst = events.slice(events.indexOf(ooms[0]!));
  expect(afterFirst.find((e) => e.type === 'restart')?.detail).toMatch(/^restart \d+ in \d+ms \(killed for exceeding its memory limit of 96Mi/);
  if (c.policy !== 'always') expect(afterFirst.find((e) => e.type === 'state' && e.to === 'failed')?.detail).toMatch(/maxRestarts 1/);
}
