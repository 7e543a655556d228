import type Docker from 'dockerode';
import {SidecarError} from '../../errors/index.js';
import type {Manifest, Service} from '../../manifest/types.js';
import {allServices, onlyPod} from '../../manifest/types.js';
import type {ExecOptions, ExecResult, ExitInfo, ProbeEndpoint, RunningUnit, Runtime, RuntimeEvents, UnitIdentity} from '../types.js';
import {isLoopback, listenersOn} from './pod-listeners.js';
import {removeProject, reapContainers} from './cleanup.js';
import {infraSpec, probePorts, serviceSpec} from './container-spec.js';
import {connectEngine} from './engine.js';
import {EngineEventStream, type ContainerEvent} from './event-stream.js';
import {execIn} from './exec.js';
import {containerPathOf} from '../../manifest/volume-refs.js';
import {ensureImage, ensureImages, type ImageProgressListener} from './images.js';
import {attachLogs} from './log-stream.js';
import {containerName, imageOf, Label, podName, projectFilter, projectLabels, volumeName} from './naming.js';
import {directRoute, forcedPublished, publishedRoute, routeTo, unreachableWhy, type ProbeRoute} from './probe-route.js';
import {UnitRegistry} from './unit-registry.js';
import {engineMessage, podStartError, removeAndWait, statusOf} from './engine-errors.js';
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

// One pod per project: an infra container owns the network namespace and the
// published ports; every unit joins it with `container:<infra id>`.
export class DockerRuntime implements Runtime {
  readonly kind = 'docker' as const;
  private client: Docker | undefined;
  private manifest: Manifest | undefined;
  private events: RuntimeEvents | undefined;
  private stream: EngineEventStream | undefined;
  private infraId: string | undefined;
  private route: ProbeRoute | undefined;
  private readonly units = new UnitRegistry();
  private readonly imageIds = new Map<string, string>();
  // Build hash of each image built (or found current) from a context, by image name.
  private readonly builtHashes = new Map<string, string>();

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
      ...allServices(manifest).map((service) => ({service: service.name, image: imageOf(manifest, service), build: service.build})),
    ];
    const [, hashes] = await Promise.all([this.ensureVolumes(docker, manifest), ensureImages(docker, requests, {forceBuild: this.options.forceBuild ?? false, onProgress: this.options.onImageProgress})]);
    for (const [image, hash] of hashes) {
      if (this.builtHashes.get(image) !== hash) this.imageIds.delete(image);
      this.builtHashes.set(image, hash);
    }
    await this.ensurePod(docker, manifest);
  }

  async preparePod(): Promise<void> {
    if (!this.manifest) throw new Error('DockerRuntime.prepare() must run first');
    await this.ensurePod(await this.docker(), this.manifest);
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

  // Reuse a running pod with the same config (a second `up`), else (re)create it.
  // Probe ports are published only where container addresses are unreachable
  // (issue 8.12): first without, then once more with them if the check says so.
  private async ensurePod(docker: Docker, manifest: Manifest): Promise<void> {
    const probed = probePorts(manifest);
    const variants = [infraSpec(manifest, this.infraImage, false), infraSpec(manifest, this.infraImage, true)];
    const hashOf = (spec: Docker.ContainerCreateOptions): string | undefined => spec.Labels?.[Label.configHash];
    const existing = await this.inspectByName(docker, podName(manifest));
    // Removing the old pod ourselves is not a lost pod.
    this.infraId = undefined;
    let info: Docker.ContainerInspectInfo;
    let published: boolean;
    const reused = existing?.State.Running ? variants.findIndex((spec) => hashOf(spec) === existing.Config.Labels[Label.configHash]) : -1;
    if (existing && reused >= 0) {
      info = existing;
      published = reused === 1;
    } else {
      published = forcedPublished() && probed.length > 0;
      info = await this.createPod(docker, manifest, variants[published ? 1 : 0]!, existing?.Id);
    }
    const why = await unreachableWhy(info);
    if (why !== undefined && !published && probed.length > 0) {
      published = true;
      info = await this.createPod(docker, manifest, variants[1]!, info.Id);
    }
    if (why !== undefined && published) {
      this.events?.notice?.(`published probe port${probed.length === 1 ? '' : 's'} ${probed.join(', ')} on 127.0.0.1 (engine-chosen host ports), because ${why}`);
    }
    this.infraId = info.Id;
    this.route = why === undefined ? directRoute(info) : publishedRoute(info);
  }

  private async createPod(docker: Docker, manifest: Manifest, spec: Docker.ContainerCreateOptions, replaces: string | undefined): Promise<Docker.ContainerInspectInfo> {
    if (replaces) await removeAndWait(docker, replaces);
    const container = await this.create(docker, spec, 'pod');
    try {
      await container.start();
    } catch (error) {
      throw podStartError(manifest, error);
    }
    return container.inspect();
  }

  private async inspectByName(docker: Docker, name: string): Promise<Docker.ContainerInspectInfo | undefined> {
    try {
      return await docker.getContainer(name).inspect();
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  private async create(docker: Docker, spec: Docker.ContainerCreateOptions, service: string): Promise<Docker.Container> {
    try {
      return await docker.createContainer(spec);
    } catch (error) {
      // The pod's container is no service's (issue 8.8); a unit's failure is pinned by the supervisor.
      throw new SidecarError('SIDECAR_STACK_FAILED', `creating the container for ${service === 'pod' ? "the pod's infra" : service} failed: ${engineMessage(error)}`, {cause: error, ...(service === 'pod' ? {service: null} : {})});
    }
  }

  // A service recreated by a second `up` whose context changed since prepare()
  // (build.hash differs): rebuild its image first. Crash restarts keep the image.
  private async rebuildIfChanged(docker: Docker, manifest: Manifest, service: Service): Promise<void> {
    const image = imageOf(manifest, service);
    if (!service.build?.hash || this.builtHashes.get(image) === service.build.hash) return;
    const hash = await ensureImage(docker, {service: service.name, image, build: service.build}, {forceBuild: false, onProgress: this.options.onImageProgress});
    this.imageIds.delete(image);
    if (hash !== undefined) this.builtHashes.set(image, hash);
  }

  private async imageId(docker: Docker, image: string): Promise<string> {
    let id = this.imageIds.get(image);
    if (id === undefined) {
      id = (await docker.getImage(image).inspect()).Id;
      this.imageIds.set(image, id);
    }
    return id;
  }

  private onEngineEvent(event: ContainerEvent): void {
    if (event.action === 'die' && event.id === this.infraId) this.onPodLost(`the pod's infra container ${event.id.slice(0, 12)} exited (code ${event.exitCode ?? 'unknown'})`);
    else if (event.action === 'die') this.units.settle(event.id, event.exitCode ?? null);
    else if (event.action === 'oom') {
      this.units.markOom(event.id);
      this.events?.engineEvent?.({service: event.service, type: 'oom'});
    } else if (event.action === 'health_status') this.events?.engineEvent?.({service: event.service, type: 'health_status', detail: event.detail});
  }

  // After the event stream came back: the pod may have died unseen.
  private async onReconnect(docker: Docker): Promise<void> {
    await this.units.reconcile(docker);
    const id = this.infraId;
    if (id === undefined) return;
    const info = await docker.getContainer(id).inspect().catch(() => undefined);
    if (this.infraId === id && !info?.State.Running) this.onPodLost(`the pod's infra container ${id.slice(0, 12)} is gone`);
  }

  // Said once per pod: the next prepare() creates a new one.
  private onPodLost(reason: string): void {
    if (this.infraId === undefined) return;
    this.infraId = undefined;
    if (this.manifest) this.events?.podLost?.(onlyPod(this.manifest).name, reason);
  }

  private prepared(): {manifest: Manifest; events: RuntimeEvents; infraId: string} {
    if (!this.manifest || !this.events) throw new Error('DockerRuntime.prepare() must run first');
    if (!this.infraId) throw new SidecarError('SIDECAR_STACK_FAILED', 'the pod has no infra container (it was removed or exited); the pod is being recreated');
    return {manifest: this.manifest, events: this.events, infraId: this.infraId};
  }

  // A fresh container on every start (like a pod restarting a container: a new
  // id, clean state); attach logs before starting so no line is lost.
  async start(service: Service): Promise<RunningUnit> {
    const docker = await this.docker();
    const {manifest, events, infraId} = this.prepared();
    await this.rebuildIfChanged(docker, manifest, service);
    const spec = serviceSpec(manifest, service, infraId, await this.imageId(docker, imageOf(manifest, service)));
    const existing = await this.inspectByName(docker, containerName(manifest, service));
    if (existing) {
      this.units.settle(existing.Id, existing.State.Running ? null : existing.State.ExitCode);
      await docker.getContainer(existing.Id).remove({force: true, v: true}).catch(() => {});
    }
    const container = await this.create(docker, spec, service.name);
    const {unit, attachLogs: logsEnded} = this.units.add(service, container.id);
    try {
      logsEnded((await attachLogs(docker, container, service.name, (line) => events.log(line))).ended);
      await container.start();
    } catch (error) {
      this.units.forget(container.id);
      throw new SidecarError('SIDECAR_STACK_FAILED', `starting ${service.name} failed: ${engineMessage(error)}`, {cause: error});
    }
    return unit;
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
    if (unit.identity.kind !== 'docker') throw new Error(`not a container: ${unit.service.name}`);
    return unit.identity.containerId;
  }

  // A container that is already gone or stopped settles from inspect, not from an event.
  private async signal(docker: Docker, container: Docker.Container, id: string, signal: NodeJS.Signals): Promise<void> {
    try {
      await container.kill({signal});
    } catch (error) {
      const status = statusOf(error);
      if (status !== 404 && status !== 409) throw error;
      if (this.units.has(id)) await this.units.reconcile(docker);
    }
  }

  volumePath(service: Service, volume: string): string {
    return containerPathOf(service, volume) ?? `\${volumes.${volume}}`;
  }

  async exec(service: Service, command: string[], options: ExecOptions): Promise<ExecResult> {
    const docker = await this.docker();
    const manifest = this.manifest;
    const name = manifest ? containerName(manifest, service) : undefined;
    const info = name ? await this.inspectByName(docker, name) : undefined;
    if (!info || !info.State.Running) {
      throw new SidecarError('SIDECAR_NOT_RUNNING', `${service.name} has no running container`, {suggestion: `start it: sidecar up ${service.name}`});
    }
    return execIn(docker, docker.getContainer(info.Id), command, options);
  }

  async endpoint(service: Service, containerPort: number): Promise<ProbeEndpoint> {
    if (!this.route) throw new Error('DockerRuntime.prepare() must run first');
    return {...routeTo(this.route, service.name, containerPort), explainRefused: () => this.explainRefused(service, containerPort)};
  }

  // Issue 8.4: refused at the pod's address while the service runs. A server
  // bound to 127.0.0.1 works on the host (process runtime) but not in a pod:
  // probes come from outside the container's loopback, as Kubernetes probes do.
  private async explainRefused(service: Service, containerPort: number): Promise<string | undefined> {
    const docker = await this.docker();
    const info = this.manifest ? await this.inspectByName(docker, containerName(this.manifest, service)) : undefined;
    if (!info?.State.Running) return undefined;
    const listeners = await listenersOn(info.State.Pid, containerPort);
    const fix = 'listen on 0.0.0.0 (every address) in a container: probes reach the pod\'s address, not its loopback, as Kubernetes probes do';
    if (listeners === undefined) return `${service.name} runs but refuses connections on the pod's address; if it listens on 127.0.0.1 only, ${fix}`;
    if (listeners.length > 0 && listeners.every(isLoopback)) return `${service.name} listens on ${listeners[0]!.includes(':') ? `[${listeners[0]}]` : listeners[0]}:${containerPort} only: ${fix}`;
    return undefined;
  }

  async reap(manifest: Manifest, known: UnitIdentity[]): Promise<UnitIdentity[]> {
    return reapContainers(await this.docker(), manifest, known);
  }

  async teardown(manifest: Manifest, options: {removeVolumes: boolean}): Promise<void> {
    const docker = await this.docker();
    this.close();
    await removeProject(docker, manifest, options.removeVolumes);
    this.infraId = undefined;
    this.route = undefined;
  }

  // Stop listening to the engine (the event stream keeps the process alive).
  close(): void {
    this.stream?.close();
    this.stream = undefined;
  }
}
