import type {Place} from '../../errors/index.js';
import {locate, locateWithin, pathToString, type Listen, type ManifestPlaces, type ManifestSource, type PathSegment} from '../source.js';
import type {Check, Manifest, Service} from '../types.js';
import {WORKLOAD_KINDS} from './k8s-objects.js';
import {describeDoc, type K8sSource} from './k8s-source.js';

type Raw = Record<string, unknown>;

interface At {
  doc: ManifestSource;
  path: PathSegment[];
}

interface Container {
  doc: ManifestSource;
  raw: Raw;
  path: PathSegment[];
}

const GATES = ['startupProbe', 'readinessProbe'];
const asMap = (value: unknown): Raw => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Raw) : {});
const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

// The checks that run on the mapped stack (the process runtime's port clashes,
// generate's requirements) speak of services in sidecar.yaml paths
// (`pods.web.app.ports[0]`). For a Kubernetes file they are translated to the
// field of the document they came from, with its Kubernetes path
// (`spec.template.spec.containers[0].ports[0].containerPort`), as the mapping's
// own problems are. Found by name and value in the documents, so the mapping
// needs to record nothing.
export class K8sPlaces implements ManifestPlaces {
  private readonly raws = new Map<ManifestSource, Raw>();

  constructor(
    private readonly source: K8sSource,
    private readonly manifest: Manifest,
  ) {}

  // At the value, as the mapping's own problems are (`atKey` is a sidecar.yaml notion: a service's name is its key there).
  locate(path: readonly PathSegment[], _atKey = false): Place {
    const at = this.resolve(path);
    if (!at) return {file: this.source.displayPath, line: 1, column: 1, path: pathToString(path)};
    return locate(at.doc, at.path);
  }

  locateWithin(path: readonly PathSegment[], needle: string): Place {
    const at = this.resolve(path);
    return at ? locateWithin(at.doc, at.path, needle) : this.locate(path);
  }

  // Every containerPort of the service's container: published or not, its program
  // listens there under the process runtime, where every pod shares the host's loopback.
  listens(service: Service): Listen[] {
    const container = this.container(service.pod, service.name);
    if (!container) return [];
    return asList(container.raw.ports).flatMap((item, i): Listen[] => {
      const port = asMap(item);
      if (typeof port.containerPort !== 'number') return [];
      const protocol = port.protocol === 'UDP' ? 'udp' : port.protocol === undefined || port.protocol === 'TCP' ? 'tcp' : undefined;
      if (!protocol) return [];
      return [{port: port.containerPort, protocol, place: locate(container.doc, [...container.path, 'ports', i, 'containerPort'])}];
    });
  }

  private resolve(path: readonly PathSegment[]): At | undefined {
    if (path[0] !== 'pods' || typeof path[1] !== 'string') return undefined;
    const workload = this.workload(path[1]);
    if (!workload) return undefined;
    if (path.length === 2) return {doc: workload.doc, path: ['metadata', 'name']};
    const pod = this.manifest.pods.find((p) => p.name === path[1]);
    const name = path[2] === 'app' ? pod?.app.name : path[2] === 'sidecars' || path[2] === 'init' ? String(path[3]) : undefined;
    const container = name === undefined ? undefined : this.container(path[1], name);
    if (!pod || !container) return {doc: workload.doc, path: workload.specPath};
    const service = [pod.app, ...pod.sidecars, ...pod.init].find((s) => s.name === name);
    const rest = path.slice(path[2] === 'app' ? 3 : 4);
    return service ? this.field(container, service, rest) : {doc: container.doc, path: container.path};
  }

  // A field of a service -> the field of the container it was read from.
  private field(container: Container, service: Service, rest: readonly PathSegment[]): At {
    const {raw, doc} = container;
    const at = (...tail: PathSegment[]): At => ({doc, path: [...container.path, ...tail]});
    const [key, index] = rest;
    if (key === 'ports' && typeof index === 'number') return this.port(container, service, index) ?? at();
    if (key === 'health' || key === 'liveness') {
      // The probe the check was read from: `liveness` is the livenessProbe's; `health`
      // the startupProbe's, else the readinessProbe's (the first with that handler).
      const check: Check | undefined = key === 'health' ? service.health?.check : service.liveness?.check;
      const handler = check?.kind === 'http' ? 'httpGet' : check?.kind === 'tcp' ? 'tcpSocket' : 'exec';
      const probe = (key === 'liveness' ? ['livenessProbe'] : GATES).find((name) => Object.keys(asMap(asMap(raw[name])[handler])).length > 0);
      if (!probe) return at();
      if (handler === 'exec') return typeof rest[2] === 'number' ? at(probe, handler, 'command', rest[2]) : at(probe, handler);
      return rest[2] === 'port' ? at(probe, handler, 'port') : at(probe, handler);
    }
    if (key === 'env' && typeof index === 'string') {
      const i = asList(raw.env).findIndex((item) => asMap(item).name === index);
      if (i !== -1) return asMap(asList(raw.env)[i]).value === undefined ? at('env', i) : at('env', i, 'value');
      return raw.envFrom === undefined ? at() : at('envFrom');
    }
    if (key === 'command' && typeof index === 'number') {
      // Kubernetes command + args, in that order, are one command here.
      const command = asList(raw.command).length;
      if (index < command) return at('command', index);
      return raw.args === undefined ? at() : at('args', index - command);
    }
    if (key === 'volumes' && typeof index === 'number') {
      const target = service.volumes[index]?.target;
      const i = asList(raw.volumeMounts).findIndex((item) => asMap(item).mountPath === target);
      return i === -1 ? at() : at('volumeMounts', i);
    }
    const direct: Record<string, string> = {image: 'image', workdir: 'workingDir', resources: 'resources', name: 'name'};
    const field = typeof key === 'string' ? direct[key] : undefined;
    return field && raw[field] !== undefined ? at(field) : at();
  }

  // `ports[i]` of a service (host and container port): a container's port with a hostPort, or a Service's port published on the app.
  private port(container: Container, service: Service, index: number): At | undefined {
    const mapping = service.ports[index];
    if (!mapping) return undefined;
    const own = asList(container.raw.ports).findIndex((item) => asMap(item).containerPort === mapping.containerPort && asMap(item).hostPort === mapping.hostPort);
    if (own !== -1) return {doc: container.doc, path: [...container.path, 'ports', own]};
    for (const doc of this.source.docs) {
      if (describeDoc(doc).kind !== 'Service') continue;
      const ports = asList(asMap(this.raw(doc).spec).ports);
      const i = ports.findIndex((item) => asMap(item).port === mapping.hostPort && (asMap(item).protocol ?? 'TCP') === mapping.protocol.toUpperCase());
      if (i !== -1) return {doc, path: ['spec', 'ports', i]};
    }
    return undefined;
  }

  private workload(name: string): {doc: ManifestSource; specPath: PathSegment[]; spec: Raw} | undefined {
    for (const doc of this.source.docs) {
      const described = describeDoc(doc);
      if (described.name !== name || !(WORKLOAD_KINDS as readonly string[]).includes(described.kind)) continue;
      const specPath = described.kind === 'Pod' ? ['spec'] : ['spec', 'template', 'spec'];
      let spec: unknown = this.raw(doc);
      for (const segment of specPath) spec = asMap(spec)[segment];
      return {doc, specPath, spec: asMap(spec)};
    }
    return undefined;
  }

  private container(pod: string, name: string): Container | undefined {
    const workload = this.workload(pod);
    if (!workload) return undefined;
    for (const key of ['initContainers', 'containers']) {
      const i = asList(workload.spec[key]).findIndex((item) => asMap(item).name === name);
      if (i !== -1) return {doc: workload.doc, raw: asMap(asList(workload.spec[key])[i]), path: [...workload.specPath, key, i]};
    }
    return undefined;
  }

  private raw(doc: ManifestSource): Raw {
    let raw = this.raws.get(doc);
    if (!raw) {
      raw = asMap(doc.doc.toJS({maxAliasCount: 100}));
      this.raws.set(doc, raw);
    }
    return raw;
  }
}
