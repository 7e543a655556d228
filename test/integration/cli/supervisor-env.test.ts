import {readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import {describe, expect, it} from 'vitest';
import {execa} from 'execa';
import {appAndSidecar, cli, project, root, survivors, trackProjects, type Project} from './cli-harness.js';

// Issue 13.1: the detached supervisor starts without NODE_EXTRA_CA_CERTS (Node
// reads the whole bundle at start-up, 50-150 ms, for certificates it never
// checks), and its services still get the user's value. Both ways a supervisor
// starts: spawned by the CLI (a first `up`) and started ahead by bin/run.js.
const track = trackProjects();

function environ(pid: number): Record<string, string> {
  const entries = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
  return Object.fromEntries(entries.map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]));
}

async function upAndLook(p: Project): Promise<{supervisor: Record<string, string>; app: Record<string, string>}> {
  const up = await cli(p, ['up', '--wait', '--runtime', 'process']);
  expect(up.exitCode, up.all).toBe(0);
  const supervisor = Number(/supervisor pid (\d+)/.exec(up.stdout)?.[1]);
  const ps = JSON.parse((await cli(p, ['ps', '--json'])).stdout) as {services: {name: string; pid: number}[]};
  const app = ps.services.find((s) => s.name === 'app')!.pid;
  return {supervisor: environ(supervisor), app: environ(app)};
}

describe('the detached supervisor and NODE_EXTRA_CA_CERTS', () => {
  // The installed command runs bin/run.js as a program: its first line (sh)
  // starts Node without the variable, and the CLI puts it back for what it
  // starts. `sidecar run`'s command is the CLI's child: its parent's start
  // environment is the CLI's.
  it('the sidecar command starts Node without it, and what it runs gets it back; kept for a network engine', async () => {
    const p = track(project(appAndSidecar('ca-env-cli')));
    const bundle = path.join(p.dir, 'extra-ca.pem');
    writeFileSync(bundle, tls.rootCertificates[0]!);
    const look = 'tr "\\0" "\\n" < /proc/$PPID/environ | grep -c "^NODE_EXTRA_CA_CERTS=" ; echo "child: $NODE_EXTRA_CA_CERTS"';
    const run = (env: Record<string, string>) => execa(path.join(root, 'bin/run.js'), ['run', '--runtime', 'process', '--', 'sh', '-c', look], {cwd: p.dir, env: {...p.env, NODE_EXTRA_CA_CERTS: bundle, ...env}, reject: false, all: true});
    const local = await run({});
    expect(local.exitCode, local.all).toBe(0);
    expect(local.stdout.split('\n').slice(-2)).toEqual(['0', `child: ${bundle}`]);
    const network = await run({DOCKER_HOST: 'tcp://127.0.0.1:2376'});
    expect(network.stdout.split('\n').slice(-2)).toEqual(['1', `child: ${bundle}`]);
  });


  it('starts without it and hands the user value to its services, spawned by the CLI or started ahead', async () => {
    const p = track(project(appAndSidecar('ca-env')));
    const bundle = path.join(p.dir, 'extra-ca.pem');
    writeFileSync(bundle, tls.rootCertificates[0]!);
    p.env = {...p.env, NODE_EXTRA_CA_CERTS: bundle};
    for (const how of ['spawned by the CLI', 'started ahead']) {
      const {supervisor, app} = await upAndLook(p);
      expect(supervisor.NODE_EXTRA_CA_CERTS, how).toBeUndefined();
      expect(app.NODE_EXTRA_CA_CERTS, how).toBe(bundle);
      expect(Object.keys(app).filter((name) => name.startsWith('SIDECAR_SAVED')), how).toEqual([]);
      expect((await cli(p, ['down'])).exitCode).toBe(0);
    }
    expect(survivors(p.mark)).toEqual([]);
  });

  it('hands an empty value to its services as it is', async () => {
    const p = track(project(appAndSidecar('ca-env-empty')));
    p.env = {...p.env, NODE_EXTRA_CA_CERTS: ''};
    const {app} = await upAndLook(p);
    expect(app.NODE_EXTRA_CA_CERTS).toBe('');
    expect((await cli(p, ['down'])).exitCode).toBe(0);
  });

  it('keeps it when the engine is reached over the network, where a TLS check may need it', async () => {
    const p = track(project(appAndSidecar('ca-env-tcp')));
    const bundle = path.join(p.dir, 'extra-ca.pem');
    writeFileSync(bundle, tls.rootCertificates[0]!);
    p.env = {...p.env, NODE_EXTRA_CA_CERTS: bundle, DOCKER_HOST: 'tcp://127.0.0.1:2376'};
    const {supervisor, app} = await upAndLook(p);
    expect(supervisor.NODE_EXTRA_CA_CERTS).toBe(bundle);
    expect(app.NODE_EXTRA_CA_CERTS).toBe(bundle);
    expect((await cli(p, ['down'])).exitCode).toBe(0);
  });
});
