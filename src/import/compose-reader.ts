import path from 'node:path';
import {parse} from 'yaml';
import {SidecarError} from '../errors/index.js';
import {LossList, type Loss} from '../manifest/loss.js';
import {projectNameFromDir} from '../manifest/normalize.js';
import type {Manifest, Pod, Service, VolumeSpec} from '../manifest/types.js';
import {composeModel} from './compose-model.js';
import {composeService, type ComposeContext, type Raw} from './compose-service.js';
import type {ImportedService} from './native-writer.js';

// A pause/infra container holds a pod's network and runs nothing (sidecar's own
// `generate compose` writes one per pod): its members are the pod, not it.
const INFRA_IMAGE = /(^|\/)(pause|sidecar-test\/pause)(:|$)|\bpause:/;

export function looksLikeCompose(data: unknown): boolean {
  return !!data && typeof data === 'object' && !Array.isArray(data) && typeof (data as Raw).services === 'object' && (data as Raw).services !== null;
}

function dependsOn(raw: Raw): Map<string, string> {
  const deps = new Map<string, string>();
  const value = raw.depends_on;
  if (Array.isArray(value)) for (const name of value) deps.set(String(name), 'service_started');
  else if (value && typeof value === 'object') {
    for (const [name, spec] of Object.entries(value as Raw)) deps.set(name, String((spec as Raw | null)?.condition ?? 'service_started'));
  }
  return deps;
}

function joined(raw: Raw): string | undefined {
  const mode = typeof raw.network_mode === 'string' ? raw.network_mode : '';
  const match = /^(service|container):(.+)$/.exec(mode);
  return match?.[2];
}

function podName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63) || 'pod';
}

// docker-compose -> the stack it describes (issue 12.3): services joined by
// `network_mode: service:X` (or container:X) are X's pod, X its app unless X is
// an infra container (then the member nothing in the pod waits for is the app,
// as sidecar starts the app last); every other service is a pod of its own.
// depends_on becomes the pods' `after`, or inside a pod start order and init jobs.
// `profiles`: the active ones (COMPOSE_PROFILES), as `docker compose up` reads them.
export function composeToManifest(file: string, text: string, profiles: string[] = []): {manifest: Manifest; losses: Loss[]} {
  const absolute = path.resolve(file);
  const dir = path.dirname(absolute);
  const parsed = parse(text, {merge: true}) as Raw;
  if (!looksLikeCompose(parsed) && !(parsed && typeof parsed === 'object' && 'include' in parsed)) {
    throw new SidecarError('SIDECAR_MANIFEST_INVALID', `${file} is neither Kubernetes YAML nor a docker-compose file with services`, {suggestion: 'give `sidecar import` a Pod/Deployment/StatefulSet/Job file or a compose file'});
  }
  const losses = new LossList();
  for (const key of Object.keys(parsed)) if (!['services', 'volumes', 'version', 'name', 'networks', 'include'].includes(key) && !key.startsWith('x-')) losses.add(undefined, key, 'sidecar has no equivalent');
  const data = composeModel(file, parsed, losses, profiles);
  const left = new Set(losses.list().filter((loss) => loss.service === undefined && loss.feature.startsWith('services.')).map((loss) => loss.feature.slice('services.'.length)));
  if (data.networks !== undefined) losses.add(undefined, 'networks', 'the pods share one network of the stack; networks are not carried over');
  const services = data.services as Record<string, Raw>;
  const names = Object.keys(services);
  const rootOf = (name: string, seen = new Set<string>()): string => {
    const target = joined(services[name] ?? {});
    if (!target || !services[target] || seen.has(name)) return name;
    seen.add(name);
    return rootOf(target, seen);
  };
  const groups = new Map<string, string[]>();
  for (const name of names) {
    const target = joined(services[name] ?? {});
    if (target && !services[target]) losses.add(undefined, `services.${name}.network_mode`, `joins ${target}, which is not a service of the file: ${name} is a pod of its own`);
    const root = rootOf(name);
    groups.set(root, [...(groups.get(root) ?? []), name]);
  }
  const ctx: ComposeContext = {dir, losses, declaredVolumes: new Set(Object.keys((data.volumes ?? {}) as Raw))};
  const podOfService = new Map<string, string>();
  const pods: Pod[] = [];
  for (const [root, members] of groups) {
    const pod = buildPod(ctx, services, root, members);
    for (const member of members) podOfService.set(member, pod.name);
    pods.push(pod);
  }
  // depends_on across pods: the pod waits for the other pod to be ready.
  for (const pod of pods) {
    const after = new Set<string>();
    for (const [member, owner] of podOfService) {
      if (owner !== pod.name) continue;
      for (const dep of dependsOn(services[member] ?? {}).keys()) {
        const other = podOfService.get(dep);
        if (other === undefined) losses.add(undefined, `services.${member}.depends_on`, left.has(dep) ? `${dep} is left out (its profile is not active): Compose refuses to start ${member} without it too` : `${dep} is not a service of the file`);
        else if (other !== pod.name) after.add(other);
      }
    }
    pod.after = [...after].sort();
  }
  // Ports are written as the file wrote them only where one names a variable (see compose-service's ports).
  for (const service of pods.flatMap((pod) => [pod.app, ...pod.sidecars, ...pod.init]) as ImportedService[]) {
    if (!service.portSpecs?.some((spec) => spec.includes('${'))) delete service.portSpecs;
  }
  // One pod: the file's own project name, when it has one, names it (the single form's name).
  let renamed: [string, string] | undefined;
  if (pods.length === 1 && typeof data.name === 'string') {
    renamed = [`${pods[0]!.name}/`, `${podName(data.name)}/`];
    renamePod(pods[0]!, podName(data.name));
  }
  const volumes: Record<string, VolumeSpec> = {};
  for (const [name, spec] of Object.entries((data.volumes ?? {}) as Raw)) {
    const raw = (spec ?? {}) as Raw;
    volumes[name] = {name, external: raw.external === true || (typeof raw.external === 'object' && raw.external !== null)};
    for (const key of Object.keys(raw)) if (key !== 'external' && key !== 'labels') losses.add(undefined, `volumes.${name}.${key}`, 'a plain local volume is used');
  }
  for (const name of ctx.declaredVolumes) volumes[name] ??= {name, external: false};
  const manifest: Manifest = {version: 1, name: typeof data.name === 'string' ? podName(data.name) : projectNameFromDir(dir), file: absolute, dir, form: pods.length === 1 ? 'single' : 'pods', pods, volumes};
  const list = losses.list().map((loss) => (renamed && loss.service?.startsWith(renamed[0]) ? {...loss, service: renamed[1] + loss.service.slice(renamed[0].length)} : loss));
  return {manifest, losses: list};
}

function renamePod(pod: Pod, name: string): void {
  pod.name = name;
  for (const service of [pod.app, ...pod.sidecars, ...pod.init]) {
    service.pod = name;
    service.id = `${name}/${service.name}`;
  }
}

function buildPod(ctx: ComposeContext, services: Record<string, Raw>, root: string, members: string[]): Pod {
  const rootRaw = services[root] ?? {};
  const infra = members.length > 1 && INFRA_IMAGE.test(String(rootRaw.image ?? '')) && rootRaw.command === undefined;
  // An infra container's hostname is the pod's name (sidecar's own generated files set it so).
  const name = podName(infra && typeof rootRaw.hostname === 'string' ? rootRaw.hostname : root);
  const inPod = infra ? members.filter((m) => m !== root) : members;
  const deps = new Map(inPod.map((m) => [m, dependsOn(services[m] ?? {})]));
  // Init jobs: what another member waits for with service_completed_successfully.
  const init = new Set(inPod.filter((m) => inPod.some((other) => deps.get(other)?.get(m) === 'service_completed_successfully')));
  const waitedFor = new Set(inPod.flatMap((m) => [...(deps.get(m)?.keys() ?? [])]));
  const appName = infra ? ([...inPod].reverse().find((m) => !init.has(m) && !waitedFor.has(m)) ?? inPod.at(-1)!) : root;
  // A generated file names members POD-SERVICE: the prefix goes.
  const short = (m: string): string => (m.startsWith(`${root}-`) && m.length > root.length + 1 ? podName(m.slice(root.length + 1)) : podName(m));
  const service = (m: string, role: Service['role']): ImportedService => composeService(ctx, short(m), name, role, services[m] ?? {});
  const app = service(appName, 'app');
  if (infra) {
    const infraRaw = {...rootRaw};
    const published = composeService(ctx, short(root), name, 'app', {ports: infraRaw.ports});
    app.ports.push(...published.ports);
    app.portSpecs = [...(app.portSpecs ?? []), ...(published.portSpecs ?? [])];
    for (const key of Object.keys(infraRaw)) if (!['image', 'ports', 'restart', 'labels', 'container_name', 'hostname', 'init', 'networks', 'depends_on'].includes(key)) ctx.losses.add(`${name}/${app.name}`, `services.${root}.${key}`, 'the infra container is not carried over: sidecar makes its own');
    if (infraRaw.networks !== undefined) ctx.losses.add(undefined, `services.${root}.networks`, 'the pods share one network of the stack');
  }
  const ordered = topo(inPod.filter((m) => m !== appName), deps);
  const sidecars = ordered.filter((m) => !init.has(m)).map((m) => service(m, 'sidecar'));
  const jobs = ordered.filter((m) => init.has(m)).map((m) => service(m, 'init'));
  // sidecar starts every sidecar and job before the app: a member that waits for the app cannot.
  for (const m of inPod) {
    if (m !== appName && deps.get(m)?.has(appName)) ctx.losses.add(`${name}/${short(m)}`, 'depends_on', `waits for ${appName}, but sidecars start before the app here`);
  }
  return {name, startup: 'ordered', after: [], app, sidecars, init: jobs};
}

// Declaration order, moved only as far as depends_on within the pod requires.
function topo(members: string[], deps: Map<string, Map<string, string>>): string[] {
  const out: string[] = [];
  const visit = (m: string, path: Set<string>): void => {
    if (out.includes(m) || path.has(m)) return;
    path.add(m);
    for (const dep of deps.get(m)?.keys() ?? []) if (members.includes(dep)) visit(dep, path);
    out.push(m);
  };
  for (const m of members) visit(m, new Set());
  return out;
}
