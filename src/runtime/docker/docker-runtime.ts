import type Docker from 'dockerode';
import {SidecarError} from '../../errors/index.js';
import type {Manifest, Pod, Service} from '../../manifest/types.js';
import {allServices} from '../../manifest/types.js';
import type {ExecOptions, ExecResult, ExitInfo, InitialSync, ProbeEndpoint, RunningUnit, Runtime, RuntimeEvents, SyncEntry, UnitIdentity, UnitUsage} from '../types.js';
import {isLoopback, listenersOn, notListening} from './pod-listeners.js';
import {removeProject, reapContainers} from './cleanup.js';
import {dockerPodHost, serviceSpec} from './container-spec.js';
import {connectEngine} from './engine.js';
import {EngineEventStream, type ContainerEvent} from './event-stream.js';
import {execIn} from './exec.js';
import {putFiles, removeFiles} from './file-sync.js';
import {buildHash} from './build-hash.js';
import {containerPathOf} from '../../manifest/volume-refs.js';
import {ensureImage, ensureImages, type ImageProgressListener} from './images.js';
import {attachLogs} from './log-stream.js';
import {containerName, imageOf, projectFilter, projectLabels, volumeName} from './naming.js';
import {ensureNetwork} from './network.js';
import {ensureInfra, inspectByName, type PodInfra} from './pod-infra.js';
import {routeTo} from './probe-route.js';
import {UnitRegistry} from './unit-registry.js';
import {PrecreatedContainers} from './precreated.js';
import {engineMessage, notRunning, podWords} from './engine-errors.js';
import {DEFAULT_INFRA_IMAGE, infraImageFromEnv} from '../infra-image.js';

// The Kubernetes pause image is what a pod's infra container runs; ~300 KB.

export interface DockerRuntimeOptions {
  // Image of the pod's infra container; default SIDECAR_INFRA_IMAGE or the pause image.
  infraImage?: string;
  // Rebuild images of services with `build` even when present (`up --build`).
  forceBuild?: boolean;
  onImageProgress?: ImageProgressListener;
  // An already created client (tests, doctor); default: DOCKER_HOST or the default socket.
  client?: Docker;
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
  private readonly imageIds = new Map<string, string>();
  // Build hash of each image built (or found current) from a context, by image name.
  private readonly builtHashes = new Map<string, string>();
  private cpuCount: number | undefined;
  private readonly cappedCpus = new Set<string>();
  // `up --watch`: what each new container gets before it starts.
  private initialSync: InitialSync | undefined;
  private readonly precreated = new PrecreatedContainers();

  constructor(private readonly options: DockerRuntimeOptions = {}) {}

  get infraImage(): string {
    return this.options.infraImage ?? infraImageFromEnv() ?? DEFAULT_INFRA_IMAGE;
  }

  private async docker(): Promise<Docker> {
    this.client ??= await connectEngine(this.options.client);
    return this.client;
  }

  async prepare(manifest: Manifest, events: RuntimeEvents): Promise<void> {
    const docker = await this.docker();
    this.manifest = manifest;
    this.events = events;
    // A second prepare (the pod recreated after its infra died) keeps the stream:
    // exits of units still running must not be missed meanwhile.
    if (!this.stream) {
      this.stream = new EngineEventStream(docker, projectFilter(manifest), {
        onEvent: (event) => this.onEngineEvent(event),
        onReconnect: () => void this.onReconnect(docker),
      });
      await this.stream.start();
    }
    const requests = [
      {service: 'pod', image: this.infraImage},
      ...allServices(manifest).map((service) => ({service: service.id, image: imageOf(manifest, service), build: service.build})),
    ];
    const [, hashes] = await Promise.all([
      this.ensureVolumes(docker, manifest),
      ensureImages(docker, requests, {forceBuild: this.options.forceBuild ?? false, onProgress: this.options.onImageProgress}),
      ensureNetwork(docker, manifest),
    ]);
    for (const [image, hash] of hashes) {
      if (this.builtHashes.get(image) !== hash) this.imageIds.delete(image);
      this.builtHashes.set(image, hash);
    }
    // Every pod's namespace at once: pods are independent until their units start.
    await Promise.all(manifest.pods.map((pod) => this.ensurePod(docker, manifest, pod)));
  }

  // After podLost: a new infra for this pod only, same name and alias (other pods
  // resolve it again by name); the network is recreated too if someone removed it.
  async preparePod(pod: Pod): Promise<void> {
    if (!this.manifest) throw new Error('DockerRuntime.prepare() must run first');
    const docker = await this.docker();
    await ensureNetwork(docker, this.manifest);
    await this.ensurePod(docker, this.manifest, pod);
  }

  private async ensureVolumes(docker: Docker, manifest: Manifest): Promise<void> {
    await Promise.all(
      Object.values(manifest.volumes).map(async (volume) => {
        const name = volumeName(manifest, volume.name);
        if (volume.external) {
          await docker.getVolume(name).inspect().catch(() => {
            throw new SidecarError('SIDECAR_STACK_FAILED', `external volume ${name} does not exist`, {service: null, suggestion: `create it: docker volume create ${name}`});
          });
          return;
        }
        // Creating an existing volume is a no-op for the engine: idempotent.
        await docker.createVolume({Name: name, Labels: projectLabels(manifest)});
      }),
    );
  }

  private async ensurePod(docker: Docker, manifest: Manifest, pod: Pod): Promise<void> {
    // Removing the old infra ourselves is not a lost pod.
    this.pods.delete(pod.name);
    const infra = await ensureInfra(docker, manifest, pod, this.infraImage, (message) => this.events?.notice?.(message));
    this.pods.set(pod.name, infra);
  }

  private async create(docker: Docker, spec: Docker.ContainerCreateOptions, service: string): Promise<Docker.Container> {
    try {
      return await docker.createContainer(spec);
    } catch (error) {
      // A unit's failure is pinned by the supervisor.
      throw new SidecarError('SIDECAR_STACK_FAILED', `creating the container for ${service} failed: ${engineMessage(error)}`, {cause: error});
    }
  }

  // A service recreated by a second `up` whose context changed since prepare()
  // (build.hash differs): rebuild its image first. Crash restarts keep the image.
  private async rebuildIfChanged(docker: Docker, manifest: Manifest, service: Service): Promise<void> {
    const image = imageOf(manifest, service);
    if (!service.build?.hash || this.builtHashes.get(image) === service.build.hash) return;
    const hash = await ensureImage(docker, {service: service.id, image, build: service.build}, {forceBuild: false, onProgress: this.options.onImageProgress});
    this.imageIds.delete(image);
    if (hash !== undefined) this.builtHashes.set(image, hash);
  }

  async prebuild(service: Service): Promise<void> {
    if (!this.manifest) throw new Error('DockerRuntime.prepare() must run first');
    await this.rebuildIfChanged(await this.docker(), this.manifest, service);
  }

  private async imageId(docker: Docker, image: string): Promise<string> {
    let id = this.imageIds.get(image);
    if (id === undefined) {
      id = (await docker.getImage(image).inspect()).Id;
      this.imageIds.set(image, id);
    }
    return id;
  }

  private podOfInfra(id: string): string | undefined {
    for (const [pod, infra] of this.pods) if (infra.id === id) return pod;
    return undefined;
  }

  private onEngineEvent(event: ContainerEvent): void {
    const lostPod = event.action === 'die' ? this.podOfInfra(event.id) : undefined;
    if (lostPod !== undefined) this.onPodLost(lostPod, `${this.podWords(lostPod)} infra container ${event.id.slice(0, 12)} exited (code ${event.exitCode ?? 'unknown'})`);
    else if (event.action === 'die') void this.settleDied(event.id, event.exitCode ?? null);
    else if (event.action === 'oom') {
      this.units.markOom(event.id);
      this.events?.engineEvent?.({service: event.service, type: 'oom'});
    } else if (event.action === 'health_status') this.events?.engineEvent?.({service: event.service, type: 'health_status', detail: event.detail});
  }

  // A 137 may be a memory kill whose oom event trails the die (or was missed while
  // the stream reconnected): the engine's State.OOMKilled says it either way.
  private async settleDied(id: string, exitCode: number | null): Promise<void> {
    const oom = exitCode === 137 && this.units.has(id) && this.client ? await this.client.getContainer(id).inspect().then((info) => info.State.OOMKilled, () => false) : false;
    this.units.settle(id, exitCode, oom);
  }

  private podWords(pod: string): string {
    return this.manifest ? podWords(this.manifest, pod) : "the pod's";
  }

  // After the event stream came back: a pod may have died unseen.
  private async onReconnect(docker: Docker): Promise<void> {
    await this.units.reconcile(docker);
    await Promise.all(
      [...this.pods].map(async ([pod, {id}]) => {
        const info = await docker.getContainer(id).inspect().catch(() => undefined);
        if (this.pods.get(pod)?.id === id && !info?.State.Running) this.onPodLost(pod, `${this.podWords(pod)} infra container ${id.slice(0, 12)} is gone`);
      }),
    );
  }

  // Said once per pod: the next preparePod() creates a new one.
  private onPodLost(pod: string, reason: string): void {
    if (!this.pods.delete(pod)) return;
    this.events?.podLost?.(pod, reason);
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

  // The engine's CPU count when a service asks for more (its limit is capped to it, said once per service).
  private async engineCpus(docker: Docker, service: Service): Promise<number | undefined> {
    const wanted = service.resources?.cpus;
    if (wanted === undefined) return undefined;
    this.cpuCount ??= await docker.info().then((info: {NCPU?: number}) => info.NCPU, () => undefined);
    if (this.cpuCount !== undefined && wanted > this.cpuCount && !this.cappedCpus.has(service.id)) {
      this.cappedCpus.add(service.id);
      this.events?.notice?.(`${service.id}: cpus ${wanted} is more than the engine's ${this.cpuCount} CPUs; limited to ${this.cpuCount}`);
    }
    return this.cpuCount;
  }

  // A fresh container on every start (like a pod restarting a container: a new
  // id, clean state); attach logs before starting so no line is lost.
  async start(service: Service): Promise<RunningUnit> {
    const docker = await this.docker();
    const {manifest, events, infraId} = this.prepared(service);
    const ahead = await this.precreated.take(service, infraId);
    const container = ahead?.container ?? (await this.createFresh(docker, manifest, service, infraId));
    const {unit, attachLogs: logsEnded} = this.units.add(service, container.id);
    let initial: Awaited<ReturnType<InitialSync>> | undefined;
    try {
      // Synced files are in place before the service's first instruction runs.
      initial = await this.initialSync?.(service);
      if (initial) await putFiles(container, service.id, initial.copy);
      logsEnded(ahead?.logsEnded ?? (await attachLogs(docker, container, service.id, (line) => events.log(line))).ended);
      await container.start();
    } catch (error) {
      this.units.forget(container.id);
      if (error instanceof SidecarError) throw error;
      throw new SidecarError('SIDECAR_STACK_FAILED', `starting ${service.id} failed: ${engineMessage(error)}`, {cause: error});
    }
    // Deleted since `up` but in the image: removing needs a running container (exec).
    if (initial && initial.remove.length > 0) await removeFiles(docker, container, service.id, initial.remove).catch((error: unknown) => events.notice?.(engineMessage(error)));
    return unit;
  }

  // Issue 13.2: a pod's containers are created together, before the first starts.
  precreate(services: Service[]): void {
    if (!this.client || !this.manifest) return;
    const docker = this.client;
    const manifest = this.manifest;
    for (const service of services) {
      const infra = this.pods.get(service.pod);
      // One whose image must be rebuilt first is created when it starts.
      if (!infra || (service.build?.hash && this.builtHashes.get(imageOf(manifest, service)) !== service.build.hash)) continue;
      this.precreated.add(service, infra.id, async () => {
        const container = await this.createFresh(docker, manifest, service, infra.id);
        const {ended} = await attachLogs(docker, container, service.id, (line) => this.events?.log(line));
        return {container, logsEnded: ended};
      });
    }
  }

  // A new container under the service's name (the old one, if any, removed).
  private async createFresh(docker: Docker, manifest: Manifest, service: Service, infraId: string): Promise<Docker.Container> {
    await this.rebuildIfChanged(docker, manifest, service);
    const spec = serviceSpec(manifest, service, infraId, await this.imageId(docker, imageOf(manifest, service)), await this.engineCpus(docker, service));
    const existing = await inspectByName(docker, containerName(manifest, service));
    if (existing) {
      this.units.settle(existing.Id, existing.State.Running ? null : existing.State.ExitCode);
      await docker.getContainer(existing.Id).remove({force: true, v: true}).catch(() => {});
    }
    return this.create(docker, spec, service.id);
  }

  setInitialSync(plan: InitialSync | undefined): void {
    this.initialSync = plan;
  }

  // Watch `sync` into the running container: deletions first, then one tar stream.
  async syncFiles(service: Service, copy: SyncEntry[], remove: string[]): Promise<void> {
    const docker = await this.docker();
    const info = this.manifest ? await inspectByName(docker, containerName(this.manifest, service)) : undefined;
    if (!info?.State.Running) throw new SidecarError('SIDECAR_NOT_RUNNING', `${service.id} has no running container to sync into; its next container gets the files before it starts`, {service: service.id});
    const container = docker.getContainer(info.Id);
    await removeFiles(docker, container, service.id, remove);
    await putFiles(container, service.id, copy);
  }

  // Watch `rebuild`: the context hashed again now (a watched package.json changed
  // since `up`); built only when the image does not carry that hash yet.
  async rebuildImage(service: Service): Promise<void> {
    if (!service.build) return;
    if (!this.manifest) throw new Error('DockerRuntime.prepare() must run first');
    const docker = await this.docker();
    const image = imageOf(this.manifest, service);
    const hash = await buildHash(service.build);
    await ensureImage(docker, {service: service.id, image, build: {...service.build, hash}}, {forceBuild: false, onProgress: this.options.onImageProgress});
    this.imageIds.delete(image);
    // The image is current for the running manifest: the restart must not build it again.
    this.builtHashes.set(image, service.build.hash ?? hash);
  }

  // stopSignal now, SIGKILL once timeoutMs passed (ms precision, unlike the engine's `stop -t`).
  async stop(unit: RunningUnit, signal: NodeJS.Signals, timeoutMs: number): Promise<ExitInfo> {
    const docker = await this.docker();
    const id = this.containerIdOf(unit);
    const container = docker.getContainer(id);
    await this.signal(docker, container, id, signal);
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
      throw new SidecarError('SIDECAR_NOT_RUNNING', `${service.id} has no running container`, {suggestion: `start it: sidecar up ${service.id}`});
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

  // Issue 8.4: refused at the pod's address while the service runs. A server
  // bound to 127.0.0.1 works on the host (process runtime) but not in a pod:
  // probes come from outside the container's loopback, as Kubernetes probes do.
  private async explainRefused(service: Service, containerPort: number): Promise<string | undefined> {
    const docker = await this.docker();
    const info = this.manifest ? await inspectByName(docker, containerName(this.manifest, service)) : undefined;
    if (!info?.State.Running) return undefined;
    const listeners = await listenersOn(info.State.Pid, containerPort);
    const fix = 'listen on 0.0.0.0 (every address) in a container: probes reach the pod\'s address, not its loopback, as Kubernetes probes do';
    if (listeners === undefined) return `${service.id} runs but refuses connections on the pod's address; if it listens on 127.0.0.1 only, ${fix}`;
    if (listeners.length > 0 && listeners.every(isLoopback)) return `${service.id} listens on ${listeners[0]!.includes(':') ? `[${listeners[0]}]` : listeners[0]}:${containerPort} only: ${fix}`;
    return undefined;
  }

  // The engine's own accounting: cumulative CPU time and memory less page cache,
  // as `docker stats` shows it; one-shot, so no two-sample wait per container.
  async usage(identities: UnitIdentity[]): Promise<(UnitUsage | undefined)[]> {
    const docker = await this.docker();
    return Promise.all(
      identities.map(async (identity) => {
        if (identity.kind !== 'docker') return undefined;
        const request = docker.getContainer(identity.containerId).stats({stream: false, 'one-shot': true} as {stream: false}) as Promise<unknown>;
        const stats = (await request.catch(() => undefined)) as {cpu_stats?: {cpu_usage?: {total_usage?: number}}; memory_stats?: {usage?: number; stats?: Record<string, number>}} | undefined;
        const total = stats?.cpu_stats?.cpu_usage?.total_usage;
        if (total === undefined) return undefined;
        const memory = stats?.memory_stats;
        const cache = memory?.stats?.inactive_file ?? memory?.stats?.total_inactive_file ?? memory?.stats?.cache ?? 0;
        return {cpuSeconds: total / 1e9, memoryBytes: Math.max(0, (memory?.usage ?? 0) - cache)};
      }),
    );
  }

  async reap(manifest: Manifest, known: UnitIdentity[]): Promise<UnitIdentity[]> {
    return reapContainers(await this.docker(), manifest, known);
  }

  async teardown(manifest: Manifest, options: {removeVolumes: boolean}): Promise<void> {
    const docker = await this.docker();
    this.close();
    this.precreated.clear();
    await removeProject(docker, manifest, options.removeVolumes);
    this.pods.clear();
  }

  // Stop listening to the engine (the event stream keeps the process alive).
  close(): void {
    this.stream?.close();
    this.stream = undefined;
  }
}
