import {SidecarError} from '../errors/index.js';
import {describeEngine, describeNoEngine, exportEndpoint, findEngine} from './engine/find.js';
import {allServices, type Manifest, type Service} from '../manifest/types.js';
import type {Runtime, RuntimeKind} from './types.js';
import {hostExecutable} from './process/host-executable.js';

export type RuntimeChoice = 'auto' | RuntimeKind;

const hasProcessCommand = (s: Service): boolean => (s.process.command ?? s.command ?? []).length > 0;
const hasImage = (s: Service): boolean => s.image !== undefined || s.build !== undefined;

// Why a service cannot run as a host process, or undefined when it can: a
// `process:` override is the user's word for it; otherwise the command's
// executable must exist on this host (issue 8.7: an image path such as
// /app/server.js must not be run on the host). Services are named by id (POD/SERVICE
// with pods: two pods' `app` are not one), here and in every message of decideRuntime.
export function notRunnableAsProcess(s: Service): string | undefined {
  if ((s.process.command ?? []).length > 0) return undefined;
  const command = s.command ?? [];
  if (command.length === 0) return `${s.id} has no command`;
  const searchPath = s.process.env.PATH ?? s.env.PATH ?? process.env.PATH;
  if (hostExecutable(command[0]!, s.workdir, searchPath)) return undefined;
  return `${s.id}'s command ${JSON.stringify(command[0])} is not on this host${s.image ? ` (it is in the image ${s.image})` : ''}`;
}

export interface RuntimeDecision {
  kind: RuntimeKind;
  // One line for the user: why `auto` chose this runtime (undefined for an explicit choice).
  reason?: string;
  // Docker: the engine that answered, when it answers as Docker on a unix socket
  // (the CLI starts the pod's infra there itself: src/runtime/docker/infra-head-start.ts).
  // A rootless Docker behind DOCKER_HOST answers as Docker too; only the system socket is known rootful.
  engine?: LocalDocker;
}

export interface LocalDocker {
  socketPath: string;
  // The system's own socket (/var/run/docker.sock, found without DOCKER_HOST): a rootful engine,
  // whose container addresses the host reaches as a rule (not where it links to a VM's engine).
  systemSocket: boolean;
}

// What the engine probe found: `where` names the engine and its address for
// the user ("podman 4.3.1 at unix:///run/podman/podman.sock"), or every address
// looked at when none answered.
export interface EngineAnswer {
  ok: boolean;
  where: string;
  local?: LocalDocker;
}

// DESIGN "Runtimes: auto" (issue 8.7): Docker when an engine answers and every
// service has an image or build; else processes, but only when every service
// can really run as one (see notRunnableAsProcess); else exit 4.
export async function decideRuntime(manifest: Manifest, choice: RuntimeChoice, engineAnswers: () => Promise<EngineAnswer> = dockerEngineAnswers): Promise<RuntimeDecision> {
  const services = allServices(manifest);
  const noCommand = services.filter((s) => !hasProcessCommand(s)).map((s) => s.id);
  const noImage = services.filter((s) => !hasImage(s)).map((s) => s.id);
  if (choice === 'process') {
    if (noCommand.length > 0) throw missing('process', noCommand, 'add `command: [...]` (or `process: {command: [...]}`) to them');
    return {kind: 'process'};
  }
  if (choice === 'docker') {
    if (noImage.length > 0) throw missing('docker', noImage, 'add `image:` or `build:` to them');
    // Fail fast with exit 4, before any progress is drawn, when no engine answers.
    const engine = await engineAnswers();
    if (!engine.ok) {
      throw new SidecarError('SIDECAR_RUNTIME_UNAVAILABLE', engine.where, {
        suggestion: 'start Docker (or `podman system service`), point DOCKER_HOST at a running engine, or use `--runtime process` (see `sidecar doctor`)',
      });
    }
    return {kind: 'docker', ...(engine.local ? {engine: engine.local} : {})};
  }
  const engine = noImage.length === 0 ? await engineAnswers() : undefined;
  if (engine?.ok) return {kind: 'docker', reason: `${engine.where} answers and every service has an image or build`, ...(engine.local ? {engine: engine.local} : {})};
  const blockers = services.map(notRunnableAsProcess).filter((why): why is string => why !== undefined);
  const notDocker = noImage.length > 0 ? `${noImage.join(', ')} ${noImage.length === 1 ? 'has' : 'have'} no image or build` : engine!.where;
  if (blockers.length === 0) return {kind: 'process', reason: `${notDocker}, and every service's command runs on this host`};
  throw new SidecarError('SIDECAR_RUNTIME_UNAVAILABLE', `no runtime can run this stack: ${notDocker}, and ${blockers.join('; ')}`, {
    suggestion:
      noImage.length > 0
        ? 'give every service a command that exists on this host (or `process: {command: [...]}`), or an `image:` for Docker'
        : 'start Docker or point DOCKER_HOST at a running engine (see `sidecar doctor`), or give those services `process: {command: [...]}` that runs on this host',
  });
}

export async function chooseRuntime(manifest: Manifest, choice: RuntimeChoice, engineAnswers: () => Promise<EngineAnswer> = dockerEngineAnswers): Promise<RuntimeKind> {
  return (await decideRuntime(manifest, choice, engineAnswers)).kind;
}

export interface RuntimeOptions {
  // `up --build`: rebuild images of services with `build`.
  forceBuild?: boolean;
  // Docker: the pod's infra the CLI created and is starting (src/runtime/docker/infra-head-start.ts).
  headStart?: {pod: string; id: string};
}

export async function createRuntime(kind: RuntimeKind, options: RuntimeOptions = {}): Promise<Runtime> {
  if (kind === 'process') {
    const {ProcessRuntime} = await import('./process/process-runtime.js');
    return new ProcessRuntime();
  }
  return createDockerRuntime(options);
}

// A detached supervisor started ahead (host/prespawn.ts) loads its runtime's code
// while the CLI still checks the manifest; a failure shows up again at createRuntime.
export function preloadRuntime(kind: string): void {
  if (kind === 'process') void import('./process/process-runtime.js').catch(() => undefined);
  // Docker: the engine is looked for meanwhile too (issue 13.2).
  if (kind === 'docker') void import('./docker/index.js').then((docker) => docker.warmEngine(), () => undefined);
}

export async function resolveRuntime(manifest: Manifest, choice: RuntimeChoice, options: RuntimeOptions = {}): Promise<Runtime> {
  return createRuntime(await chooseRuntime(manifest, choice), options);
}

// The Docker runtime lives in its own folder (the only one importing dockerode),
// loaded only when chosen.
async function createDockerRuntime(options: RuntimeOptions): Promise<Runtime> {
  const {DockerRuntime} = await import('./docker/index.js');
  return new DockerRuntime({...(options.forceBuild ? {forceBuild: true} : {}), ...(options.headStart ? {headStart: options.headStart} : {})});
}

function missing(kind: RuntimeKind, names: string[], fix: string): SidecarError {
  return new SidecarError('SIDECAR_RUNTIME_UNAVAILABLE', `the ${kind} runtime cannot run ${names.join(', ')}: ${names.length === 1 ? 'it has' : 'they have'} no ${kind === 'process' ? 'command' : 'image or build'}`, {
    suggestion: fix,
  });
}

// Every place an engine may listen, asked at once without loading dockerode
// (start-up time); the one found is exported in DOCKER_HOST for the children.
export async function dockerEngineAnswers(): Promise<EngineAnswer> {
  const found = await findEngine();
  if (!found.ok) return {ok: false, where: describeNoEngine(found.looked)};
  exportEndpoint(found);
  const local = found.endpoint.kind === 'unix' && found.status.engine === 'docker' ? {socketPath: found.endpoint.socketPath, systemSocket: found.endpoint.source === 'default'} : undefined;
  return {ok: true, where: describeEngine(found.status), ...(local ? {local} : {})};
}
