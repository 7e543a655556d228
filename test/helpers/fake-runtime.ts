import type {Manifest, Pod, Service} from '../../src/manifest/types.js';
import type {ExecOptions, ExecResult, ExitInfo, Runtime, RuntimeEvents, RunningUnit, UnitIdentity} from '../../src/runtime/types.js';
import type {FakeClock} from './fake-clock.js';

interface FakeUnit extends RunningUnit {
  exit(info: Omit<ExitInfo, 'service'>): void;
  done: boolean;
}

// An in-memory Runtime for unit tests of the supervisor's logic in fake time.
// Real processes are covered by the integration suite; this only records calls.
// Services are named by id (`POD/SERVICE` with pods, the bare name otherwise).
export class FakeRuntime implements Runtime {
  readonly kind = 'process' as const;
  readonly log: {time: number; op: 'start' | 'stop' | 'kill'; service: string}[] = [];
  // exec health checks pass for these services.
  readonly healthy = new Set<string>();
  // exec checks that fail whatever `healthy` says: `SERVICE COMMAND...` (a liveness check of its own).
  readonly failing = new Set<string>();
  // Services whose start() throws (command not found).
  readonly unstartable = new Set<string>();
  // Services whose start() never settles (an engine that hangs).
  readonly hangsOnStart = new Set<string>();
  // Services whose start() fails once the promise given settles (an engine that answers late, with an error).
  readonly failsLate = new Map<string, Promise<void>>();
  // Services whose process ignores the stop signal (exit only on SIGKILL after the timeout).
  readonly ignoresStop = new Set<string>();
  private nextPid = 100;
  private events?: RuntimeEvents;
  private readonly live = new Map<string, FakeUnit>();

  constructor(private readonly clock: FakeClock) {}

  // What precreate() was given, and how long its synchronous work takes (a real spawn: a few ms).
  readonly precreated: string[] = [];
  precreateCostMs = 0;

  // What restartLeadMs() answers (docker: the engine's measured start time).
  restartLead = 0;

  restartLeadMs(): number {
    return this.restartLead;
  }

  precreate(services: Service[]): void {
    this.precreated.push(...services.map((s) => s.id));
    this.clock.elapse(this.precreateCostMs);
  }

  async usage(identities: UnitIdentity[]): Promise<undefined[]> {
    return identities.map(() => undefined);
  }

  async prepare(_manifest: Manifest, events: RuntimeEvents): Promise<void> {
    this.events = events;
  }

  // Pods whose namespace was recreated (preparePod), in order.
  readonly preparedPods: string[] = [];

  // Pods whose namespace cannot be recreated (preparePod throws).
  readonly unpreparable = new Set<string>();

  async preparePod(pod: Pod): Promise<void> {
    this.preparedPods.push(pod.name);
    if (this.unpreparable.has(pod.name)) throw new Error(`cannot recreate the network of ${pod.name}`);
  }

  // Test control: the runtime reports a pod's network gone (docker: infra container removed).
  losePod(name: string, reason = 'infra container removed'): void {
    this.events?.podLost?.(name, reason);
  }

  async start(service: Service): Promise<RunningUnit> {
    if (this.unstartable.has(service.id)) throw new Error(`spawn ${service.id} ENOENT`);
    if (this.hangsOnStart.has(service.id)) return new Promise<RunningUnit>(() => undefined);
    const late = this.failsLate.get(service.id);
    if (late) return late.then(() => Promise.reject(new Error(`${service.id}: the engine answered too late`)));
    this.log.push({time: this.clock.now(), op: 'start', service: service.id});
    const pid = this.nextPid++;
    let resolve!: (info: ExitInfo) => void;
    const unit: FakeUnit = {
      service,
      identity: {kind: 'process', pid, pgid: pid, startTime: String(this.clock.now())},
      exited: new Promise<ExitInfo>((r) => (resolve = r)),
      done: false,
      exit: (info) => {
        if (unit.done) return;
        unit.done = true;
        if (this.live.get(service.id) === unit) this.live.delete(service.id);
        resolve({service: service.id, ...info});
      },
    };
    this.live.set(service.id, unit);
    return unit;
  }

  // Test control: the running process of a service exits.
  // `oomKilled`: the runtime saw it killed for memory (docker's oom event, a cgroup's oom_kill).
  exit(name: string, exitCode: number | null, signal: NodeJS.Signals | null = null, oomKilled = false): void {
    const unit = this.live.get(name);
    if (!unit) throw new Error(`${name} is not running`);
    unit.exit({exitCode, signal, ...(oomKilled ? {oomKilled} : {})});
  }

  print(name: string, line: string): void {
    this.events?.log({service: name, stream: 'stdout', line, time: this.clock.now()});
  }

  pidOf(name: string): number | undefined {
    const identity = this.live.get(name)?.identity;
    return identity?.kind === 'process' ? identity.pid : undefined;
  }

  isRunning(name: string): boolean {
    return this.live.has(name);
  }

  async stop(running: RunningUnit, _signal: NodeJS.Signals, timeoutMs: number): Promise<ExitInfo> {
    const unit = running as FakeUnit;
    this.log.push({time: this.clock.now(), op: 'stop', service: unit.service.id});
    if (this.ignoresStop.has(unit.service.id)) {
      this.clock.setTimeout(() => unit.exit({exitCode: null, signal: 'SIGKILL'}), timeoutMs);
    } else {
      unit.exit({exitCode: null, signal: 'SIGTERM'});
    }
    return unit.exited;
  }

  async kill(running: RunningUnit): Promise<void> {
    this.log.push({time: this.clock.now(), op: 'kill', service: running.service.id});
    (running as FakeUnit).exit({exitCode: null, signal: 'SIGKILL'});
  }

  async teardown(): Promise<void> {}

  async reap(_manifest: Manifest, _known: UnitIdentity[]): Promise<UnitIdentity[]> {
    return [];
  }

  volumePath(_service: Service, volume: string): string {
    return `/volumes/${volume}`;
  }

  async endpoint(_service: Service, port: number): Promise<{host: string; port: number}> {
    return {host: '127.0.0.1', port};
  }

  async exec(service: Service, command: string[], _options: ExecOptions): Promise<ExecResult> {
    const ok = this.healthy.has(service.id) && this.live.has(service.id) && !this.failing.has(`${service.id} ${command.join(' ')}`);
    return {exitCode: ok ? 0 : 1, stdout: '', stderr: ok ? '' : `${service.id} not healthy`};
  }
}
