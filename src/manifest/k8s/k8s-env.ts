import type {PathSegment} from '../source.js';
import type {K8sObjects, Workload} from './k8s-objects.js';
import type {K8sReader, Raw} from './k8s-reader.js';

// Kubernetes' dependent variables: `$(NAME)` is an earlier variable's value, `$$` a
// literal `$`; an unknown name stays as written (as the kubelet leaves it).
export function expandRefs(value: string, env: Record<string, string>): string {
  return value.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (whole, name: string | undefined) => {
    if (name === undefined) return '$';
    return Object.hasOwn(env, name) ? env[name]! : whole;
  });
}

function keyRef(r: K8sReader, service: string, objects: K8sObjects, kind: 'configMapKeyRef' | 'secretKeyRef', ref: Raw, path: PathSegment[]): string | undefined {
  const store = kind === 'configMapKeyRef' ? objects.configMaps : objects.secrets;
  const what = kind === 'configMapKeyRef' ? 'ConfigMap' : 'Secret';
  const name = r.string(ref.name, [...path, 'name']);
  const key = r.string(ref.key, [...path, 'key']);
  if (!name || !key) {
    r.error(path, `${kind} needs name and key`, `write {name: ${what.toUpperCase()}_NAME, key: KEY}`);
    return undefined;
  }
  const data = store.get(name);
  if (!data) {
    r.loss(service, path, `${what} ${name} is not in the file: the variable is not set (add the ${what} document to the file)`);
    return undefined;
  }
  const bytes = data.get(key);
  if (!bytes) {
    if (ref.optional === true) return undefined;
    r.error([...path, 'key'], `${what} ${name} has no key "${key}"`, `add ${key} to the ${what}, or mark the reference optional: true`);
    return undefined;
  }
  return bytes.toString('utf8');
}

// `fieldRef`: what the downward API would give, as seen locally. The pod's IP is
// the address other pods reach it at (`${pods.NAME.host}`: NAME under Docker,
// 127.0.0.1 under the process runtime).
function fieldValue(r: K8sReader, service: string, workload: Workload, field: string, path: PathSegment[]): string | undefined {
  const metadata = (workload.top.metadata ?? {}) as Raw;
  const labelOrAnnotation = /^metadata\.(labels|annotations)\['([^']+)'\]$/.exec(field);
  if (labelOrAnnotation) return (labelOrAnnotation[1] === 'labels' ? workload.labels : workload.annotations)[labelOrAnnotation[2]!];
  switch (field) {
    case 'metadata.name':
      return workload.name;
    case 'metadata.namespace':
      return typeof metadata.namespace === 'string' ? metadata.namespace : 'default';
    case 'status.podIP':
      return `\${pods.${workload.name}.host}`;
    case 'spec.serviceAccountName':
      return typeof workload.spec.serviceAccountName === 'string' ? workload.spec.serviceAccountName : 'default';
    default:
      r.loss(service, path, `fieldRef ${field} has no local value: the variable is not set`);
      return undefined;
  }
}

// `envFrom` then `env` (env wins, as in Kubernetes), with `$(VAR)` expanded in order.
export function envOf(r: K8sReader, service: string, workload: Workload, objects: K8sObjects, container: Raw, path: PathSegment[]): Record<string, string> {
  const env: Record<string, string> = {};
  r.list(container.envFrom, [...path, 'envFrom']).forEach((item, i) => {
    const at = [...path, 'envFrom', i];
    const source = r.map(item, at) ?? {};
    const prefix = r.string(source.prefix, [...at, 'prefix']) ?? '';
    const kind = source.configMapRef ? 'configMapRef' : source.secretRef ? 'secretRef' : undefined;
    if (!kind) {
      r.error(at, 'envFrom needs configMapRef or secretRef', 'write - configMapRef: {name: NAME}');
      return;
    }
    const ref = r.map(source[kind], [...at, kind]) ?? {};
    const name = r.string(ref.name, [...at, kind, 'name']) ?? '';
    const data = (kind === 'configMapRef' ? objects.configMaps : objects.secrets).get(name);
    if (!data) {
      r.loss(service, [...at, kind], `${kind === 'configMapRef' ? 'ConfigMap' : 'Secret'} ${name} is not in the file: its keys are not set`);
      return;
    }
    for (const [key, bytes] of data) env[`${prefix}${key}`] = bytes.toString('utf8');
  });
  r.list(container.env, [...path, 'env']).forEach((item, i) => {
    const at = [...path, 'env', i];
    const variable = r.map(item, at) ?? {};
    const name = r.string(variable.name, [...at, 'name']);
    if (!name) {
      r.error(at, 'an env entry needs a name', 'write - {name: NAME, value: VALUE}');
      return;
    }
    const from = r.map(variable.valueFrom, [...at, 'valueFrom']);
    if (!from) {
      env[name] = expandRefs(r.string(variable.value, [...at, 'value']) ?? '', env);
      return;
    }
    let value: string | undefined;
    if (from.configMapKeyRef) value = keyRef(r, service, objects, 'configMapKeyRef', r.map(from.configMapKeyRef, [...at, 'valueFrom', 'configMapKeyRef']) ?? {}, [...at, 'valueFrom', 'configMapKeyRef']);
    else if (from.secretKeyRef) value = keyRef(r, service, objects, 'secretKeyRef', r.map(from.secretKeyRef, [...at, 'valueFrom', 'secretKeyRef']) ?? {}, [...at, 'valueFrom', 'secretKeyRef']);
    else if (from.fieldRef) {
      const ref = r.map(from.fieldRef, [...at, 'valueFrom', 'fieldRef']) ?? {};
      const field = r.string(ref.fieldPath, [...at, 'valueFrom', 'fieldRef', 'fieldPath']) ?? '';
      value = fieldValue(r, service, workload, field, [...at, 'valueFrom', 'fieldRef']);
    } else r.loss(service, [...at, 'valueFrom'], `${Object.keys(from).join(', ')} has no local value: the variable is not set`);
    if (value !== undefined) env[name] = value;
  });
  return env;
}
