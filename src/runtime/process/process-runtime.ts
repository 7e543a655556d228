import {SidecarError} from '../../errors/index.js';
import type {Manifest, Service} from '../../manifest/types.js';
import type {ExecOptions, ExecResult, ExitInfo, Runtime, RuntimeEvents, RunningUnit, UnitIdentity, UnitUsage} from '../types.js';
import {processUsage} from './usage.js';
import {groupGone, killGroupUntilGone, leaderAlive, signalGroup, type ProcessIdentity} from './group-signal.js';
import {LineSplitter} from '../line-splitter.js';
import {ensureRealDir, removeInsideStateDir} from '../safe-state-dir.js';
import {currentBootId, readStat} from './proc-table.js';
import {reapSurvivors} from './reap.js';
import {checkPortsFree} from './port-check.js';
import {spawnFailure} from './spawn-failure.js';
import {POD_HOST, serviceCommand, serviceEnv, serviceWorkdir, volumeDir} from './service-env.js';
import {carriesMarker, cgroupBase, newRunId, stackId} from './stack-marker.js';
import {pollUntil, within} from './wait.js';
import {UnitLimits} from './cgroup/unit-limits.js';
import type {ServiceCgroup} from './cgroup/service-cgroup.js';
import {StartedAhead, directoryId} from './started-ahead.js';
import type {AheadChannel} from './ahead-channel.js';
import {spawnUnit} from './spawn-unit.js';
import {Containment} from './containment.js';
import {dieWithUs, liveUnits} from './exit-hook.js';

// How many of the next to start are made ahead (makeNextAhead).
const AHEAD_COUNT = 2;

interface ProcessUnit extends RunningUnit {
  readonly identity: ProcessIdentity;
  // Its cgroup when it has `resources` and one could be made (DESIGN "Resources").
  readonly cgroup?: ServiceCgroup;
  // Set while stop() owns the group, so the exit handler leaves leftovers to it.
  stopping: boolean;
  exitInfo?: ExitInfo;
}

// Extra time a SIGKILLed group gets to disappear before stop() gives up waiting.
const KILL_GRACE_MS = 1000;
const OUTPUT_GRACE_MS = 50;

// Settles once the stream has ended (or failed, or there is none).
function streamDone(stream: NodeJS.ReadableStream | null): Promise<void> {
  if (!stream) return Promise.resolve();
  return new Promise((resolve) => {
    stream.once('end', () => resolve());
    stream.once('close', () => resolve());
    stream.once('error', () => resolve());
  });
}
// DESIGN "Runtimes: process": each service is a process group on the host.
export class ProcessRuntime implements Runtime {
  readonly kind = 'process' as const;
  readonly runId = newRunId();
  private manifest?: Manifest;
  private events: RuntimeEvents = {log: () => {}};
  private limits?: UnitLimits;
  private readonly ahead = new StartedAhead();
  // The one made ahead that is joining its cgroup, while it is (makeNextAhead).
  private joining?: Promise<void>;
  private readonly containment = new Containment();
  // Notices of a precreate before prepare(), said once the events are known.
  private prepared = false;
  private readonly notices: string[] = [];
  // Services to start, next first (precreate): the next one is made ahead.
  private plan: Service[] = [];

  async prepare(manifest: Manifest, events: RuntimeEvents): Promise<void> {
    this.events = events;
    this.prepared = true;
    for (const message of this.notices.splice(0)) events.notice?.(message);
    this.bind(manifest);
    // The stack told what starts first before this (Stack.start): its process joins
    // its cgroup while the rest is prepared, not after (issue 13.1).
    this.makeNextAhead();
    // Created and deleted without following links: never outside .sidecar/ (issue 9.7).
    for (const name of Object.keys(manifest.volumes)) ensureRealDir(manifest.dir, ['.sidecar', 'volumes', name]);
  }

  // Issue 13.1/13.3 (started-ahead.ts): where a service's process joins a cgroup,
  // or is a Node program (which then starts up meanwhile, node-ahead.ts), the next
  // ones to start are made ahead, waiting, and start() only says go: at a pod's
  // start while the one before gets ready, after a crash during the backoff (the
  // services named here start next). Two, one after the other (makeNextAhead):
  // the kernel moves one process into a cgroup at a time, and a fork waits for
  // it, so making them all at once would delay the first start.
  // Told before prepare(), the plan is kept and prepare() makes the first one; or,
  // given the manifest, it is made now (the supervisor's socket and files come next).
  precreate(services: Service[], manifest?: Manifest): void {
    if (manifest && !this.manifest) this.bind(manifest);
    const named = new Set(services.map((s) => s.id));
    this.plan = [...services, ...this.plan.filter((s) => !named.has(s.id))];
    this.makeNextAhead();
  }

  // What making a process needs: the manifest, the cgroups, the exit hook.
  private bind(manifest: Manifest): void {
    if (this.manifest === manifest && this.limits) return;
    this.manifest = manifest;
    this.limits = new UnitLimits(cgroupBase(manifest), this.runId.slice(0, 8), (message) => (this.prepared ? this.events.notice?.(message) : this.notices.push(message)));
    dieWithUs(this.ahead);
  }

  // The next AHEAD_COUNT to start are made ahead, one after the other: each joins
  // its cgroup once the one before has (the kernel moves one process at a time),
  // and so soon after it, while the kernel's wait for the first move still holds
  // (warm-moves.ts). A Node program made ahead also starts up then (~20 ms,
  // node-ahead.ts): two ahead, so that each has the start of the one before it
  // to do so. (Starting up one at a time, in the order made, so that the first
  // to start had the machine to itself, measured no quicker: 2.6 ms slower a
  // round of bench/up-down.js, 21 rounds of 31, on 2 cores.)
  private makeNextAhead(): void {
    if (this.joining || !this.manifest || !this.limits) return;
    for (const next of this.plan.slice(0, AHEAD_COUNT)) {
      if (this.ahead.has(next)) continue;
      const channel = this.makeAhead(next);
      if (!channel) continue;
      const joining: Promise<void> = channel.joined.then(() => {
        if (this.joining !== joining) return;
        this.joining = undefined;
        this.makeNextAhead();
      });
      this.joining = joining;
      return;
    }
  }

  // Best effort: one that cannot be made ahead is made by start(), which says why it fails.
  private makeAhead(next: Service): AheadChannel | undefined {
    try {
      const [file, ...args] = serviceCommand(this.manifest!, next);
      const workdir = serviceWorkdir(next);
      // Named before the spawn: a directory replaced meanwhile is not taken for this one.
      const id = directoryId(workdir);
      const spawned = file === undefined ? undefined : spawnUnit(this.manifest!, this.runId, this.limits, next, [file, ...args], true);
      if (!spawned?.channel) return undefined;
      // Not spawned (its workdir is missing...): start() spawns it again and says why.
      if (spawned.child.pid === undefined) {
        void spawned.ended.then(() => spawned.cgroup?.remove());
        return undefined;
      }
      this.ahead.add({service: next, child: spawned.child, ended: spawned.ended, channel: spawned.channel, workdir: {path: workdir, id}, ...(spawned.cgroup ? {cgroup: spawned.cgroup} : {})});
      return spawned.channel;
    } catch {
      // start() meets the same problem and reports it.
      return undefined;
    }
  }

  // Every pod shares the host's loopback: there is no namespace to recreate.
  async preparePod(): Promise<void> {}

  async start(service: Service): Promise<RunningUnit> {
    const manifest = this.requireManifest();
    const [file, ...args] = serviceCommand(manifest, service);
    if (file === undefined) {
      throw new SidecarError('SIDECAR_RUNTIME_UNAVAILABLE', `service "${service.id}" has no command for the process runtime`, {
        suggestion: `add command: [...] (or process: {command: [...]}) to ${service.id} in ${manifest.file}`,
      });
    }
    await checkPortsFree(service, (pid) => carriesMarker(pid, stackId(manifest), new Set([this.runId])));
    const ahead = this.ahead.take(service);
    ahead?.channel.go();
    const {child, ended, cgroup} = ahead ?? spawnUnit(manifest, this.runId, this.limits, service, [file, ...args], false)!;
    this.plan = this.plan.filter((s) => s.id !== service.id);
    this.makeNextAhead();
    const pid = child.pid;
    if (pid === undefined) {
      const end = await ended;
      await cgroup?.remove();
      throw spawnFailure(service.id, [file, ...args], serviceWorkdir(service), end.error);
    }
    const bootId = currentBootId();
    const identity: ProcessIdentity = {kind: 'process', pid, pgid: pid, startTime: readStat(pid)?.startTime ?? '0', ...(bootId ? {bootId} : {}), runId: this.runId};
    this.pipeLines(service.id, child.stdout, 'stdout');
    this.pipeLines(service.id, child.stderr, 'stderr');
    const outputRead = Promise.all([streamDone(child.stdout), streamDone(child.stderr)]);
    let resolveExit!: (info: ExitInfo) => void;
    const unit: ProcessUnit = {service, identity, stopping: false, exited: new Promise<ExitInfo>((resolve) => (resolveExit = resolve)), ...(cgroup ? {cgroup} : {})};
    this.containment.started(unit, cgroup !== undefined);
    child.once('exit', (exitCode, signal) => {
      // The kernel counts the kill in the group before the victim is reaped.
      const oomKilled = (cgroup?.oomKills() ?? 0) > 0;
      const info: ExitInfo = {service: service.id, exitCode, signal, ...(oomKilled ? {oomKilled} : {})};
      unit.exitInfo = info;
      liveUnits.delete(unit);
      // Told once its last lines are read: a failed init's message quotes them (a CI
      // run saw "(migrate printed nothing)" for an init that printed "boom" and exited,
      // its pipe read after the exit). A pipe a child of it holds open (it dies with
      // its group just below) holds the exit back OUTPUT_GRACE_MS at most.
      void within(outputRead, OUTPUT_GRACE_MS).then(() => resolveExit(info));
      // A container dies whole; so does a group whose leader died on its own. After
      // the exit is handled (issue 13.3): the group kill scans /proc synchronously,
      // which would delay the exit event and so the restart's backoff timer.
      // Its cgroup goes with it, and whatever escaped the group into it (a container dies whole).
      if (!unit.stopping) setImmediate(() => void killGroupUntilGone(identity, KILL_GRACE_MS).then(() => this.containment.removal(unit, cgroup?.remove())));
    });
    liveUnits.add(unit);
    return unit;
  }

  // DESIGN 6: signal to the group, SIGKILL after timeoutMs, then leftovers; bounded by timeoutMs + ~1s.
  async stop(running: RunningUnit, signal: NodeJS.Signals, timeoutMs: number): Promise<ExitInfo> {
    const unit = this.asProcessUnit(running);
    unit.stopping = true;
    const deadline = Date.now() + timeoutMs;
    if (!unit.exitInfo) signalGroup(unit.identity, signal);
    let info = await within(unit.exited, timeoutMs);
    const gone = () => groupGone(unit.identity);
    // Each check is one kill(-pgid, 0) once the group is empty (groupGone), so it can be often.
    const emptied = info ? await pollUntil(gone, deadline - Date.now(), 10) : false;
    if (!emptied || !info) {
      signalGroup(unit.identity, 'SIGKILL');
      unit.cgroup?.killAll();
      info = info ?? (await within(unit.exited, KILL_GRACE_MS));
      await killGroupUntilGone(unit.identity, KILL_GRACE_MS);
    }
    await this.containment.removal(unit, unit.cgroup?.remove(KILL_GRACE_MS));
    return info ?? {service: unit.service.id, exitCode: null, signal: 'SIGKILL'};
  }

  async kill(running: RunningUnit): Promise<void> {
    const unit = this.asProcessUnit(running);
    unit.stopping = true;
    // Nothing verifiably ours is left: never wait on (or signal) a stranger.
    unit.cgroup?.killAll();
    if (!signalGroup(unit.identity, 'SIGKILL')) {
      await this.containment.removal(unit, unit.cgroup?.remove(KILL_GRACE_MS));
      return;
    }
    await within(unit.exited, KILL_GRACE_MS);
    await killGroupUntilGone(unit.identity, KILL_GRACE_MS);
    await this.containment.removal(unit, unit.cgroup?.remove(KILL_GRACE_MS));
  }

  async teardown(manifest: Manifest, options: {removeVolumes: boolean}): Promise<void> {
    this.plan = [];
    this.ahead.endAll();
    // Groups a dead supervisor left (and the stack's own directory): ours by name.
    await (this.limits ?? new UnitLimits(cgroupBase(manifest), '', () => {})).removeLeftovers();
    // An ephemeral volume (a Kubernetes emptyDir) goes with the stack, as with its pod.
    const named = Object.values(manifest.volumes).filter((v) => !v.external && (options.removeVolumes || v.ephemeral === true));
    for (const v of named) removeInsideStateDir(manifest.dir, ['.sidecar', 'volumes', v.name]);
  }

  // Our own run counts too: a live supervisor reaps its escaped children on stop.
  async usage(identities: UnitIdentity[]): Promise<(UnitUsage | undefined)[]> {
    return processUsage(identities);
  }

  async reap(manifest: Manifest, known: UnitIdentity[], options: {graceMs?: number; runIds?: string[]} = {}): Promise<UnitIdentity[]> {
    // Only this run (made in this process): nothing older than this process carries its marker.
    const ownRunOnly = (options.runIds ?? []).length === 0 ? readStat(process.pid)?.startTime : undefined;
    // Every unit of it ran in a group that was removed: nothing of it is left
    // (containment.ts) but what was made ahead and never started, ended here.
    const thisRun = known.every((identity) => identity.kind !== 'process' || identity.runId === this.runId);
    if (ownRunOnly !== undefined && thisRun && (await this.containment.proven())) {
      await this.ahead.endAllGone();
      return [];
    }
    return reapSurvivors(manifest, known, {...(options.graceMs !== undefined ? {graceMs: options.graceMs} : {}), runIds: [this.runId, ...(options.runIds ?? [])], ...(ownRunOnly !== undefined ? {startedAfter: ownRunOnly} : {})});
  }

  volumePath(_service: Service, volume: string): string {
    return volumeDir(this.requireManifest(), volume);
  }

  podHost(): string {
    return POD_HOST;
  }

  async endpoint(_service: Service, containerPort: number): Promise<{host: string; port: number}> {
    return {host: '127.0.0.1', port: containerPort};
  }

  // Runs on the host with the service's env and cwd (DESIGN: `exec` under the process runtime).
  async exec(service: Service, command: string[], options: ExecOptions): Promise<ExecResult> {
    const manifest = this.requireManifest();
    const [file, ...args] = command;
    if (file === undefined) throw new SidecarError('SIDECAR_USAGE', 'exec needs a command');
    // Runs with the run's marker and no cgroup: the stop's last reap looks for it.
    this.containment.uncontained();
    const {runOnHost} = await import('./host-exec.js');
    return runOnHost(file, args, {cwd: serviceWorkdir(service), env: serviceEnv(manifest, service, {runId: this.runId, ...(options.env ? {extra: options.env} : {})})}, options);
  }

  // Whether this unit's leader still lives (identity-checked); for tests and `ps`.
  isAlive(running: RunningUnit): boolean {
    return leaderAlive(this.asProcessUnit(running).identity);
  }

  private pipeLines(service: string, stream: NodeJS.ReadableStream | null, name: 'stdout' | 'stderr'): void {
    if (!stream) return;
    const splitter = new LineSplitter((line) => this.events.log({service, stream: name, line, time: Date.now()}));
    stream.on('data', (chunk: Buffer) => splitter.push(chunk));
    stream.on('end', () => splitter.end());
    stream.on('error', () => splitter.end());
  }

  private requireManifest(): Manifest {
    if (!this.manifest) throw new SidecarError('SIDECAR_UNEXPECTED', 'process runtime used before prepare()');
    return this.manifest;
  }

  private asProcessUnit(running: RunningUnit): ProcessUnit {
    if (running.identity.kind !== 'process') throw new SidecarError('SIDECAR_UNEXPECTED', `unit ${running.service.id} is not a process`);
    return running as ProcessUnit;
  }
}
