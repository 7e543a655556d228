import {spawn} from 'node:child_process';
import {closeSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import {SidecarError} from '../errors/index.js';
import type {Manifest} from '../manifest/types.js';
import type {RuntimeKind} from '../runtime/types.js';
import {ensureRealDir, openAppendNoFollow} from '../runtime/safe-state-dir.js';
import {readSupervisorRecord, writeJsonAtomic} from './state-file.js';
import {findSupervisor, type LiveSupervisor} from './find-supervisor.js';
import type {ProjectFiles} from './project-files.js';
import {earlyExitError, markRun} from './start-failure.js';
import {handOver, takePrespawned} from './prespawn.js';
import {supervisorEnv} from './supervisor-env.js';
import {warmCgroupMoves} from '../runtime/process/cgroup/warm-moves.js';

export interface SupervisorArgs {
  manifestFile: string;
  // The manifest as the CLI loaded it (plain data): the supervisor neither parses
  // YAML again nor sees a different environment for interpolation.
  manifestJson?: string;
  runtime: RuntimeKind;
  only: string[];
  timeoutMs?: number;
  // `up -d --build` / `up --wait --build`.
  forceBuild?: boolean;
  // `up -d --watch`: the supervisor runs the watcher.
  watch?: boolean;
  // The project lock the CLI holds, which the supervisor takes over (project-lock.ts).
  lockToken?: string;
  // Docker: the pod's infra `up` created and is starting (src/runtime/docker/infra-head-start.ts).
  headStart?: {pod: string; id: string};
  // The process the stack belongs to (the Node API's caller): when it is gone,
  // the supervisor stops the stack, so a test run that dies leaves nothing behind.
  owner?: {pid: number; startTime?: string};
}

const ANSWER_TIMEOUT_MS = 15_000;

// Forks the detached supervisor (own session, output to .sidecar/supervisor.log,
// unref'd) and returns once it answers on its socket. `abandoned` runs before a
// throw when no supervisor lives on: none was started, or it exited. One that
// runs but does not answer (in time, or as the socket's owner) keeps what it holds.
export async function spawnSupervisor(files: ProjectFiles, args: SupervisorArgs, manifest?: Manifest, abandoned?: () => Promise<void>): Promise<LiveSupervisor> {
  const child: {started: boolean; exited?: number | null} = {started: false};
  try {
    return await spawnAndWait(files, args, manifest, child);
  } catch (error) {
    if (abandoned && (!child.started || child.exited !== undefined)) await abandoned();
    throw error;
  }
}

async function spawnAndWait(files: ProjectFiles, args: SupervisorArgs, manifest: Manifest | undefined, seen: {started: boolean; exited?: number | null}): Promise<LiveSupervisor> {
  ensureRealDir(files.dir, ['.sidecar']);
  if (manifest) {
    args = {...args, manifestJson: files.manifest};
    writeJsonAtomic(args.manifestJson!, manifest);
  }
  const mark = markRun(files);
  const out = openAppendNoFollow(files.supervisorLog);
  // Started by bin/run.js before the CLI loaded (issue 13.1): only the arguments are left to send.
  const prespawned = takePrespawned(files.dir);
  let child: {pid: number | undefined; exited: () => number | null | undefined};
  if (prespawned && (await handOver(prespawned, args))) {
    closeSync(out);
    child = prespawned;
    seen.started = true;
    // Its first service joins a cgroup ~15 ms from now: the kernel's wait for that starts here.
    if (args.runtime === 'process' && !prespawned.warmed) void warmCgroupMoves();
  } else {
    const spawned = spawn(process.execPath, [supervisorEntry(), JSON.stringify(args)], {detached: true, stdio: ['ignore', out, out], cwd: files.dir, env: supervisorEnv(process.env)});
    seen.started = true;
    closeSync(out);
    let code: number | null | undefined;
    spawned.once('exit', (exitCode) => (code = exitCode));
    spawned.once('error', () => (code ??= null));
    spawned.unref();
    child = {pid: spawned.pid, exited: () => code};
  }
  const deadline = Date.now() + ANSWER_TIMEOUT_MS;
  for (;;) {
    seen.exited = child.exited();
    // Its record names its socket (which may be in a private temp dir); only our child counts.
    if (readSupervisorRecord(files.supervisor)?.pid === child.pid) {
      const live = await findSupervisor(files);
      if (live) return live;
    }
    if (seen.exited !== undefined) throw earlyExitError(files, seen.exited, mark);
    if (Date.now() > deadline) throw new SidecarError('SIDECAR_STACK_FAILED', `the supervisor did not answer within ${ANSWER_TIMEOUT_MS / 1000}s`, {suggestion: `see ${files.supervisorLog}`});
    await new Promise((resolve) => setTimeout(resolve, 15));
  }
}

// bin/supervisor.js picks the bundled supervisor or the plain build. This module
// sits two levels under the package root both in dist/host/ and in dist/bundle/.
function supervisorEntry(): string {
  return fileURLToPath(new URL('../../bin/supervisor.js', import.meta.url));
}
