import type {Problem} from '../../errors/index.js';
import type {LossList} from '../loss.js';
import type {PathSegment} from '../source.js';
import {describeDoc, type K8sSource} from './k8s-source.js';
import {K8sReader, type Raw} from './k8s-reader.js';

export const WORKLOAD_KINDS = ['Pod', 'Deployment', 'StatefulSet', 'Job'] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

// A Pod, or the pod template of a Deployment, StatefulSet or Job.
export interface Workload {
  reader: K8sReader;
  kind: WorkloadKind;
  name: string;
  // The object as a whole, and its pod spec with the path to it.
  top: Raw;
  spec: Raw;
  specPath: PathSegment[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface ServiceDoc {
  reader: K8sReader;
  name: string;
  spec: Raw;
}

// The documents of one file, sorted by what they become (DESIGN: workloads are
// pods; Services, ConfigMaps and Secrets are used; anything else is ignored).
export interface K8sObjects {
  workloads: Workload[];
  services: ServiceDoc[];
  // name -> key -> bytes (Secrets decoded from base64, stringData merged over data).
  configMaps: Map<string, Map<string, Buffer>>;
  secrets: Map<string, Map<string, Buffer>>;
}

const NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export function readObjects(source: K8sSource, problems: Problem[], losses: LossList): K8sObjects {
  const objects: K8sObjects = {workloads: [], services: [], configMaps: new Map(), secrets: new Map()};
  for (const doc of source.docs) {
    const {kind, name} = describeDoc(doc);
    const reader = new K8sReader(doc, `${kind}/${name || '?'}`, problems, losses);
    const top = reader.map(doc.doc.toJS({maxAliasCount: 100}), []) ?? {};
    const metadata = reader.map(top.metadata, ['metadata']) ?? {};
    const objectName = reader.string(metadata.name, ['metadata', 'name']);
    if (!objectName) {
      reader.error(['metadata'], `${kind} has no metadata.name`, 'give it a name: metadata: {name: NAME}');
      continue;
    }
    if (kind === 'ConfigMap') objects.configMaps.set(objectName, dataOf(reader, top, false));
    else if (kind === 'Secret') objects.secrets.set(objectName, dataOf(reader, top, true));
    else if (kind === 'Service') objects.services.push({reader, name: objectName, spec: reader.map(top.spec, ['spec']) ?? {}});
    else if ((WORKLOAD_KINDS as readonly string[]).includes(kind)) {
      const workload = workloadOf(reader, kind as WorkloadKind, objectName, top, metadata);
      if (workload) objects.workloads.push(workload);
    } else losses.add(undefined, `${kind}/${objectName}`, `ignored: sidecar runs ${WORKLOAD_KINDS.join(', ')} and uses Service, ConfigMap and Secret`);
  }
  return objects;
}

function workloadOf(reader: K8sReader, kind: WorkloadKind, name: string, top: Raw, metadata: Raw): Workload | undefined {
  // DESIGN: a pod of the stack is named after metadata.name; pod names are [a-z0-9-].
  if (!NAME.test(name)) {
    reader.error(['metadata', 'name'], `"${name}" cannot name a pod: use lowercase letters, digits and "-" (at most 63)`, 'rename the object (dots are not allowed in a pod name here)');
  }
  if (kind === 'Pod') {
    return {reader, kind, name, top, spec: reader.map(top.spec, ['spec']) ?? {}, specPath: ['spec'], labels: stringMap(reader, metadata.labels, ['metadata', 'labels']), annotations: stringMap(reader, metadata.annotations, ['metadata', 'annotations'])};
  }
  const spec = reader.map(top.spec, ['spec']) ?? {};
  const template = reader.map(spec.template, ['spec', 'template']);
  if (!template) {
    reader.error(['spec'], `${kind} has no spec.template`, 'give it a pod template: spec.template.spec.containers');
    return undefined;
  }
  const templateMeta = reader.map(template.metadata, ['spec', 'template', 'metadata']) ?? {};
  // The annotation `sidecar.dev/app` may sit on the object or on its template.
  const annotations = {...stringMap(reader, metadata.annotations, ['metadata', 'annotations']), ...stringMap(reader, templateMeta.annotations, ['spec', 'template', 'metadata', 'annotations'])};
  return {reader, kind, name, top, spec: reader.map(template.spec, ['spec', 'template', 'spec']) ?? {}, specPath: ['spec', 'template', 'spec'], labels: stringMap(reader, templateMeta.labels, ['spec', 'template', 'metadata', 'labels']), annotations};
}

function stringMap(reader: K8sReader, value: unknown, path: PathSegment[]): Record<string, string> {
  const map = reader.map(value, path) ?? {};
  return Object.fromEntries(Object.entries(map).map(([key, v]) => [key, reader.string(v, [...path, key]) ?? '']));
}

// ConfigMap `data` (text) and `binaryData` (base64); Secret `data` (base64) and `stringData` (text, wins).
function dataOf(reader: K8sReader, top: Raw, secret: boolean): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const read = (key: string, base64: boolean): void => {
    for (const [name, value] of Object.entries(reader.map(top[key], [key]) ?? {})) {
      const text = reader.string(value, [key, name]) ?? '';
      if (base64 && !/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(text)) {
        reader.error([key, name], `${key}.${name} is not base64`, secret && key === 'data' ? 'encode it (base64 -w0), or put the plain value under stringData' : 'encode it with base64 -w0');
        continue;
      }
      out.set(name, base64 ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8'));
    }
  };
  if (secret) {
    read('data', true);
    read('stringData', false);
  } else {
    read('data', false);
    read('binaryData', true);
  }
  return out;
}
