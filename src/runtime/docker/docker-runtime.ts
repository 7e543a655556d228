import type Docker from 'dockerode';
import type {ContainerCreateOptions} from 'dockerode';
import {SidecarError} from '../../errors/index.js';
import type {Manifest, Pod, Service} from '../../manifest/types.js';
import {allServices} from '../../manifest/types.js';
import type {ExecOptions, ExecResult, ExitInfo, InitialSync, ProbeEndpoint, RunningUnit, Runtime, RuntimeEvents, SyncEntry, UnitIdentity, UnitUsage} from '../types.js';
import {CpuCap, ensureVolumes} from './engine-resources.js';
import {ImageCache} from './image-cache.js';
import {PodEvents} from './pod-events.js';
import {notListening} from './pod-listeners.js';
import {containerUsage, explainRefused} from './unit-inspect.js';
import {removeProject, reapContainers} from './cleanup.js';
import {dockerPodHost, gatedSpec} from './container-spec.js';
import {connectEngine} from './engine.js';
import {EngineEventStream} from './event-stream.js';
import {execIn} from './exec.js';
import {putFiles, removeFiles, syncIntoRunning} from './file-sync.js';
import {SyncChannels} from './sync-channel.js';
import {containerPathOf} from '../../manifest/volume-refs.js';
import {ensureImages, type ImageProgressListener} from './images.js';
import {attachLogs} from './log-stream.js';
import {containerName, imageOf, projectFilter} from './naming.js';
import {FreshContainers} from './fresh-container.js';
import {ensureNetwork} from './network.js';
import {ensureInfra, inspectByName, type PodInfra} from './pod-infra.js';
import {engineIsRootless, routeTo} from './probe-route.js';
import {UnitRegistry} from './unit-registry.js';
import {signalDirectly} from './host-process.js';
import {PrecreatedContainers, type Ahead} from './precreated.js';
import {GateBook, RELEASE_DEADLINE_MS, releaseGate, type GateFiles} from './start-gate.js';
import {InfraReadiness} from './infra-readiness.js';
import {StartLead} from './start-lead.js';
import {engineMessage, notRunning} from './engine-errors.js';
import {DEFAULT_INFRA_IMAGE, infraImageFromEnv} from '../infra-image.js';
import type {HeadStart} from './infra-head-start.js';
import {CreationGuard} from './creation-guard.js';

// A creation the engine has not answered within this is not waited for by a teardown.
const CREATIONS_DEADLINE_MS = 15_000;

export interface DockerRuntimeOptions {
  // Image of the pod's infra container; default SIDECAR_INFRA_IMAGE or the pause image.
  infraImage?: string;
  // Rebuild images of services with `build` even when present (`up --build`).
  forceBuild?: boolean;
  onImageProgress?: ImageProgressListener;
  // An already created client (tests, doctor); default: DOCKER_HOST or the default socket.
  client?: Docker;
  // The pod's infra the CLI created and asked the engine to start (infra-head-start.ts): used by the first prepare() only.
  headStart?: HeadStart;
}

// Per pod an infra container owns the network namespace and the pod's published
// ports; every unit joins its own pod's with `container:<infra id>`, so two pods
// may listen on the same port. With pods, every infra joins the project network
// under its pod's name (a Kubernetes Service per pod, Compose's service DNS).
export class DockerRuntime implements Runtime {
  readonly kind = 'docker' as const;
  private client: Docker | undefined;
  private manifest: Manifest | undefined;
  private events: RuntimeEvents | undefined;
  private stream: EngineEventStream | undefined;
  // The live infra of each pod, by pod name; absent while lost or being recreated.
  private readonly pods = new Map<string, PodInfra>();
  private readonly units = new UnitRegistry();
  // Build hash of each image built (or found current) from a context, by image name.
  private readonly images: ImageCache;
  private readonly cpus = new CpuCap();
  private readonly podEvents = new PodEvents(this.pods, this.units, () => ({manifest: this.manifest, events: this.events, client: this.client}));
  // `up --watch`: what each new container gets before it starts.
  private initialSync: InitialSync | undefined;
  private readonly precreated = new PrecreatedContainers();
  private readonly startLead = new StartLead();
  private readonly fresh: FreshContainers;
  // What the stack will start, by pod, told before prepare(): created once the pod's infra exists.
  private readonly planned = new Map<string, Service[]>();
  // Watch `sync` receivers kept open in the containers (issue 11.7).
  private readonly channels = new SyncChannels();

  private headStart: HeadStart | undefined;
  // The start gates of containers made ahead (start-gate.ts), and the pods' infras they wait for.
  private readonly gates = new GateBook();
  private readonly infraUp = new InfraReadiness();
  // No container is created once a teardown began; it waits for those already asked (creation-guard.ts).
  private readonly guard = new CreationGuard();

  constructor(private readonly options: DockerRuntimeOptions = {}) {
    this.headStart = options.headStart;
    this.images = new ImageCache(options.onImageProgress);
    this.fresh = new FreshContainers({images: this.images, cpus: this.cpus, units: this.units, notice: (message) => this.events?.notice?.(message), guard: this.guard});
  }

  get infraImage(): string {
    return this.options.infraImage ?? infraImageFromEnv() ?? DEFAULT_INFRA_IMAGE;
  }

  private async docker(): Promise<Docker> {
    this.client ??= await connectEngine(this.options.client);
    return this.client;
  }

  async prepare(manifest: Manifest, events: RuntimeEvents): Promise<void> {
    const docker = await this.docker();
    this.guard.open();
    this.manifest = manifest;
    this.events = events;
    // A second prepare (the pod recreated after its infra died) keeps the stream:
    // exits of units still running must not be missed meanwhile.
    let subscribed: Promise<void> | undefined;
    if (!this.stream) {
      this.stream = new EngineEventStream(docker, projectFilter(manifest), {
        onEvent: (event) => this.podEvents.onEvent(event),
        onReconnect: () => void this.podEvents.onReconnect(docker),
      });
      subscribed = this.stream.start();
    }
    const requests = [
      {service: 'pod', image: this.infraImage},
      ...allServices(manifest).map((service) => ({service: service.id, image: imageOf(manifest, service), build: service.build})),
    ];
    // How probes reach a pod: asked now, awaited only by a pod with probe ports before its infra exists.
    void engineIsRootless(docker);
    // Issue 13.2: the subscription beside them (one round trip less); in place before any container exists.
    const [, hashes] = await Promise.all([
      ensureVolumes(docker, manifest, this.guard),
      ensureImages(docker, requests, {forceBuild: this.options.forceBuild ?? false, onProgress: this.options.onImageProgress, onCurrent: (image, id, command) => this.images.current(image, id, command)}),
      ensureNetwork(docker, manifest, this.guard),
      subscribed,
    ]);
    this.images.record(hashes);
    // Every pod's namespace at once: pods are independent until their units start.
    await Promise.all(manifest.pods.map((pod) => this.ensurePod(docker, manifest, pod)));
  }

  // After podLost: a new infra for this pod only, same name and alias (other pods
  // resolve it again by name); the network is recreated too if someone removed it.
  async preparePod(pod: Pod): Promise<void> {
    if (!this.manifest) throw new Error('DockerRuntime.prepare() must run first');
    const docker = await this.docker();
    await ensureNetwork(docker, this.manifest, this.guard);
    await this.ensurePod(docker, this.manifest, pod);
  }

  private async ensurePod(docker: Docker, manifest: Manifest, pod: Pod): Promise<void> {
    // Removing the old infra ourselves is not a lost pod.
    this.pods.delete(pod.name);
    const planned = this.planned.get(pod.name) ?? [];
    this.planned.delete(pod.name);
    const head = this.headStart?.pod === pod.name ? this.headStart.id : undefined;
    this.headStart = undefined;
    // Issue 13.2: the pod's planned containers are created while its infra starts.
    let created: string | undefined;
    let infra: PodInfra;
    try {
      infra = await ensureInfra(docker, manifest, pod, this.infraImage, {
        notice: (message) => this.events?.notice?.(message),
        created: (id) => {
          created = id;
          this.createAhead(docker, manifest, planned, id);
        },
        ...(head ? {headStart: head} : {}),
        guard: this.guard,
      });
    } catch (error) {
      if (created !== undefined) this.infraUp.settled(created, false);
      throw error;
    }
    this.pods.set(pod.name, infra);
    this.infraUp.settled(infra.id, true);
    if (created !== undefined && created !== infra.id) this.infraUp.settled(created, false);
  }

  async prebuild(service: Service): Promise<void> {
    if (!this.manifest) throw new Error('DockerRuntime.prepare() must run first');
    await this.images.rebuildIfChanged(await this.docker(), this.manifest, service);
  }

  private prepared(service: Service): {manifest: Manifest; events: RuntimeEvents; infraId: string} {
    if (!this.manifest || !this.events) throw new Error('DockerRuntime.prepare() must run first');
    return {manifest: this.manifest, events: this.events, infraId: this.infraOf(service).id};
  }

  private infraOf(service: Service): PodInfra {
    const infra = this.pods.get(service.pod);
    if (infra) return infra;
    const pod = this.manifest?.form === 'pods' ? `pod ${service.pod}` : 'the pod';
    throw new SidecarError('SIDECAR_STACK_FAILED', `${pod} has no infra container (it was removed or exited); the pod is being recreated`);
  }

  // A fresh container on every start (like a pod restarting a container: a new
  // id, clean state); attach logs before starting so no line is lost.
  async start(service: Service): Promise<RunningUnit> {
    const docker = await this.docker();
    const {manifest, infraId} = this.prepared(service);
    const ahead = await this.precreated.take(service, infraId);
    if (ahead?.gate) {
      const unit = await this.startGated(docker, manifest, service, ahead, ahead.gate);
      if (unit) return unit;
      // Its gated container is gone (removed or killed before its turn): made again.
      await ahead.container.remove({force: true, v: true}).catch(() => undefined);
      return this.startFresh(docker, service, undefined);
    }
    return this.startFresh(docker, service, ahead);
  }

  private async startFresh(docker: Docker, service: Service, ahead: Ahead | undefined): Promise<RunningUnit> {
    const {manifest, events, infraId} = this.prepared(service);
    let container = ahead?.container;
    if (!container) {
      container = await this.fresh.create(docker, manifest, service, infraId);
      this.gates.made(service.id, undefined);
    }
    const {unit, attachLogs: logsEnded} = this.units.add(service, container.id);
    let initial: Awaited<ReturnType<InitialSync>> | undefined;
    try {
      // Synced files are in place before the service's first instruction runs.
      initial = await this.initialSync?.(service);
      if (initial) await putFiles(container, service.id, initial.copy);
      logsEnded(ahead?.logsEnded ?? (await attachLogs(docker, container, service.id, (line) => events.log(line))).ended);
      const startingAt = performance.now();
      await container.start();
      // Only a start with nothing else before it, as a restart's is.
      if (ahead && !initial) this.startLead.note(performance.now() - startingAt);
      this.started(docker, container.id, service, initial !== undefined);
    } catch (error) {
      throw this.startFailed(container.id, service, error);
    }
    // Deleted since `up` but in the image: removing needs a running container (exec).
    if (initial && initial.remove.length > 0) await removeFiles(docker, container, service.id, initial.remove).catch((error: unknown) => events.notice?.(engineMessage(error)));
    return unit;
  }

  // A container started ahead with its program behind the gate: the gate opened
  // in its turn (after the initial sync, as for any start). Undefined when the
  // container is gone before its program ran.
  private async startGated(docker: Docker, manifest: Manifest, service: Service, ahead: Ahead, gate: GateFiles): Promise<RunningUnit | undefined> {
    const {container} = ahead;
    if (ahead.startError !== undefined) throw new SidecarError('SIDECAR_STACK_FAILED', `starting ${service.id} failed: ${engineMessage(ahead.startError)}`, {cause: ahead.startError});
    const {unit, attachLogs: logsEnded} = this.units.add(service, container.id);
    logsEnded(ahead.logsEnded);
    let initial: Awaited<ReturnType<InitialSync>> | undefined;
    try {
      initial = await this.initialSync?.(service);
      if (initial) await putFiles(container, service.id, initial.copy);
      // Deleted since `up` but in the image: gone before the program's first instruction too.
      if (initial && initial.remove.length > 0) await removeFiles(docker, container, service.id, initial.remove).catch((error: unknown) => this.events?.notice?.(engineMessage(error)));
      const outcome = await releaseGate(gate, unit.exited, () => container.inspect().then((info) => info.State.Running, () => false));
      // A program that could not be run is run all the same, as the engine's init
      // did without the gate: it said why on stderr, and the unit exits 127/126.
      if (!outcome.ran) {
        this.units.forget(container.id);
        if ('gone' in outcome) return undefined;
        throw new SidecarError('SIDECAR_STACK_FAILED', `starting ${service.id} failed: its container runs, but its program was not let start within ${RELEASE_DEADLINE_MS / 1000}s`);
      }
      this.started(docker, container.id, service, initial !== undefined);
    } catch (error) {
      throw this.startFailed(container.id, service, error);
    }
    return unit;
  }

  // Its program runs: its first process pinned, and a watch `sync` receiver opened.
  private started(docker: Docker, containerId: string, service: Service, synced: boolean): void {
    this.units.pin(containerId, docker.getContainer(containerId).inspect());
    if (synced && service.watch.some((rule) => rule.action === 'sync' || rule.action === 'sync+restart')) this.channels.warm(docker, containerId, service.id);
  }

  private startFailed(containerId: string, service: Service, error: unknown): SidecarError {
    this.units.forget(containerId);
    if (error instanceof SidecarError) return error;
    return new SidecarError('SIDECAR_STACK_FAILED', `starting ${service.id} failed: ${engineMessage(error)}`, {cause: error});
  }

  restartLeadMs(): number {
    return this.startLead.ms();
  }

  // Issue 13.2: a pod's containers are created together, before the first starts.
  // Before prepare() (the stack's plan), they wait for their pod's infra to exist.
  precreate(services: Service[]): void {
    if (!this.client || !this.manifest) {
      // Told again (the supervisor before its socket, then Stack.start): once each.
      for (const service of services) this.planned.set(service.pod, [...(this.planned.get(service.pod) ?? []).filter((s) => s.id !== service.id), service]);
      return;
    }
    for (const service of services) {
      const infra = this.pods.get(service.pod);
      if (infra) this.createAhead(this.client, this.manifest, [service], infra.id);
    }
  }

  private createAhead(docker: Docker, manifest: Manifest, services: Service[], infraId: string): void {
    // One whose image must be rebuilt first is created when it starts; one already under way is left to it.
    const ahead = services.filter((service) => !this.images.stale(manifest, service) && this.precreated.wants(service, infraId));
    const gates = this.gates.forBatch(docker, manifest.dir, ahead.map((service) => service.id));
    for (const service of ahead) {
      this.precreated.add(service, infraId, async (bounded) => {
        const files = (await gates)?.get(service.id);
        // Ungated after all when there is nothing to run (the engine says why then).
        let gated = false;
        const gate = files
          ? async (spec: ContainerCreateOptions) => {
              const behind = gatedSpec(spec, files, await this.images.commandOf(docker, imageOf(manifest, service)));
              gated = behind !== undefined;
              return behind ?? spec;
            }
          : undefined;
        const {container, ended} = await bounded(async () => {
          const made = await this.fresh.create(docker, manifest, service, infraId, gate);
          if (files && !gated) this.gates.unused(files);
          this.gates.made(service.id, gated ? files : undefined);
          return {container: made, ...(await attachLogs(docker, made, service.id, (line) => this.events?.log(line)))};
        });
        if (!files || !gated) return {container, logsEnded: ended};
        // Issue 13.5: started once the pod's namespace runs, its program run in its
        // turn (start-gate.ts). One that cannot be started now is not used (its
        // gate would never open): made again, ungated, in its turn, which says why.
        if (!(await this.infraUp.runs(infraId, [...this.pods.values()].map((infra) => infra.id)))) throw new Error("the pod's infra is not running");
        // The engine's refusal (an argument list too long, a mount it cannot make)
        // is kept and said in the container's turn, as its start would have.
        const startError = await bounded(() =>
          container.start().then(
            () => undefined,
            (error: unknown) => error,
          ),
        );
        return {container, logsEnded: ended, gate: files, ...(startError === undefined ? {} : {startError})};
      });
    }
  }

  setInitialSync(plan: InitialSync | undefined): void {
    this.initialSync = plan;
  }

  // Watch `sync` into the running container (file-sync.ts).
  async syncFiles(service: Service, copy: SyncEntry[], remove: string[]): Promise<void> {
    await syncIntoRunning(await this.docker(), this.manifest, this.channels, (id) => this.units.has(id), service, copy, remove);
  }

  // Watch `rebuild`: the image brought up to the context as it is now.
  async rebuildImage(service: Service): Promise<void> {
    if (!this.manifest) throw new Error('DockerRuntime.prepare() must run first');
    await this.images.rebuildNow(await this.docker(), this.manifest, service);
  }

  // stopSignal now, SIGKILL once timeoutMs passed (ms precision, unlike the engine's `stop -t`).
  async stop(unit: RunningUnit, signal: NodeJS.Signals, timeoutMs: number): Promise<ExitInfo> {
    const docker = await this.docker();
    const id = this.containerIdOf(unit);
    const container = docker.getContainer(id);
    const pinned = await this.units.pinned(id);
    this.units.watchGone(id);
    if (!pinned || !signalDirectly(pinned, signal)) await this.signal(docker, container, id, signal);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)));
    const outcome = await Promise.race([unit.exited, late]);
    clearTimeout(timer);
    if (outcome === 'late') await this.signal(docker, container, id, 'SIGKILL');
    return unit.exited;
  }

  async kill(unit: RunningUnit): Promise<void> {
    const docker = await this.docker();
    const id = this.containerIdOf(unit);
    await this.signal(docker, docker.getContainer(id), id, 'SIGKILL');
  }

  private containerIdOf(unit: RunningUnit): string {
    if (unit.identity.kind !== 'docker') throw new Error(`not a container: ${unit.service.id}`);
    return unit.identity.containerId;
  }

  // A container that is already gone or stopped settles from inspect, not from an event.
  private async signal(docker: Docker, container: Docker.Container, id: string, signal: NodeJS.Signals): Promise<void> {
    try {
      await container.kill({signal});
    } catch (error) {
      if (!notRunning(error)) throw error;
      if (this.units.has(id)) await this.units.reconcile(docker);
    }
  }

  volumePath(service: Service, volume: string): string {
    return containerPathOf(service, volume) ?? `\${volumes.${volume}}`;
  }

  // `${pods.NAME.host}` in the command (a health exec's) is NAME, as in command and env.
  async exec(service: Service, command: string[], options: ExecOptions): Promise<ExecResult> {
    const docker = await this.docker();
    const manifest = this.manifest;
    const name = manifest ? containerName(manifest, service) : undefined;
    const info = name ? await inspectByName(docker, name) : undefined;
    if (!info || !info.State.Running) {
      // Said as the supervisor's check says it (host/exec-target.ts), for a container gone under a `running` state.
      throw new SidecarError('SIDECAR_NOT_RUNNING', `service ${service.id} is not running (no running container); exec runs a command beside a running service`, {suggestion: `start it: sidecar up ${service.id}`});
    }
    return execIn(docker, docker.getContainer(info.Id), command.map(dockerPodHost), options);
  }

  // Probes reach a port inside the service's own pod (each pod has its own address).
  async endpoint(service: Service, containerPort: number): Promise<ProbeEndpoint> {
    if (!this.manifest) throw new Error('DockerRuntime.prepare() must run first');
    const infra = this.infraOf(service);
    const confirm = infra.route.kind === 'published' ? {confirmListening: () => notListening(infra.pid, containerPort)} : {};
    return {...routeTo(infra.route, service.id, containerPort), explainRefused: () => this.explainRefused(service, containerPort), ...confirm};
  }

  private async explainRefused(service: Service, containerPort: number): Promise<string | undefined> {
    return this.manifest ? explainRefused(await this.docker(), containerName(this.manifest, service), service, containerPort) : undefined;
  }

  async usage(identities: UnitIdentity[]): Promise<(UnitUsage | undefined)[]> {
    return containerUsage(await this.docker(), identities);
  }

  async reap(manifest: Manifest, known: UnitIdentity[], options: {graceMs?: number} = {}): Promise<UnitIdentity[]> {
    return reapContainers(await this.docker(), manifest, known, options, (id) => this.units.processGone(id));
  }

  async teardown(manifest: Manifest, options: {removeVolumes: boolean}): Promise<void> {
    const docker = await this.docker();
    this.close();
    // Nothing is created from here on; what was already asked is answered before the project is listed.
    const answered = this.guard.close(CREATIONS_DEADLINE_MS);
    this.precreated.clear();
    this.infraUp.none();
    await answered;
    await removeProject(docker, manifest, options.removeVolumes);
    this.gates.removeAll(manifest.dir);
    this.pods.clear();
  }

  // Stop listening to the engine (the event stream keeps the process alive).
  close(): void {
    this.stream?.close();
    this.stream = undefined;
  }
}
