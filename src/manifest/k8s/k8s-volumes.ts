import {existsSync} from 'node:fs';
import path from 'node:path';
import type {PathSegment} from '../source.js';
import type {ManifestFiles, VolumeMount, VolumeSpec} from '../types.js';
import type {K8sObjects, Workload} from './k8s-objects.js';
import type {K8sReader, Raw} from './k8s-reader.js';

type PodVolume = {kind: 'volume'; source: string} | {kind: 'bind'; hostPath: string; source: string; readOnly: boolean} | {kind: 'dropped'};

export interface PodVolumes {
  byName: Map<string, PodVolume>;
  // Named volumes of the stack (emptyDir, PVC stand-ins), named POD-VOLUME so two pods never share one.
  stack: Record<string, VolumeSpec>;
  // ConfigMap and Secret volumes: files `up` writes under .sidecar/k8s/ before the start.
  files: ManifestFiles[];
}

const HANDLED = ['emptyDir', 'configMap', 'secret', 'hostPath', 'persistentVolumeClaim'];

// The pod's `volumes` (and a StatefulSet's volumeClaimTemplates) as sidecar sees them.
export function podVolumes(r: K8sReader, workload: Workload, objects: K8sObjects, dir: string): PodVolumes {
  const out: PodVolumes = {byName: new Map(), stack: {}, files: []};
  const named = (name: string, ephemeral = false): PodVolume => {
    const source = `${workload.name}-${name}`;
    out.stack[source] = {name: source, external: false, ...(ephemeral ? {ephemeral} : {})};
    return {kind: 'volume', source};
  };
  r.list(workload.spec.volumes, [...workload.specPath, 'volumes']).forEach((item, i) => {
    const at = [...workload.specPath, 'volumes', i];
    const volume = r.map(item, at) ?? {};
    const name = r.string(volume.name, [...at, 'name']);
    if (!name) {
      r.error(at, 'a volume needs a name', 'write - name: NAME');
      return;
    }
    const type = Object.keys(volume).find((key) => key !== 'name');
    if (type === 'emptyDir') {
      const spec = r.map(volume.emptyDir, [...at, 'emptyDir']) ?? {};
      if (spec.medium === 'Memory') r.loss(undefined, [...at, 'emptyDir', 'medium'], 'the volume is on disk, not in memory');
      if (spec.sizeLimit !== undefined) r.loss(undefined, [...at, 'emptyDir', 'sizeLimit'], 'the volume has no size limit');
      // Kubernetes deletes an emptyDir with its pod: `down` removes this one too.
      out.byName.set(name, named(name, true));
    } else if (type === 'configMap' || type === 'secret') {
      out.byName.set(name, dataVolume(r, workload, objects, dir, name, type, r.map(volume[type], [...at, type]) ?? {}, [...at, type], out.files));
    } else if (type === 'hostPath') {
      const spec = r.map(volume.hostPath, [...at, 'hostPath']) ?? {};
      const hostPath = r.string(spec.path, [...at, 'hostPath', 'path']);
      if (!hostPath || !path.isAbsolute(hostPath)) {
        r.error([...at, 'hostPath', 'path'], 'hostPath.path must be an absolute path', 'write path: /some/dir');
        out.byName.set(name, {kind: 'dropped'});
      } else {
        hostPathType(r, [...at, 'hostPath'], hostPath, r.string(spec.type, [...at, 'hostPath', 'type']) ?? '');
        out.byName.set(name, {kind: 'bind', hostPath, source: hostPath, readOnly: false});
      }
    } else if (type === 'persistentVolumeClaim') {
      r.loss(undefined, [...at, 'persistentVolumeClaim'], 'no claim is bound here: a named volume of the stack stands in (its data stays on this machine)');
      out.byName.set(name, named(name));
    } else {
      r.loss(undefined, [...at, type ?? 'name'], `${type ?? 'a volume with no type'} is not supported (${HANDLED.join(', ')} are): mounts of "${name}" are left out`);
      out.byName.set(name, {kind: 'dropped'});
    }
  });
  // StatefulSet: each claim template is a volume of the pod by its name.
  if (workload.kind === 'StatefulSet') {
    const spec = (workload.top.spec ?? {}) as Raw;
    r.list(spec.volumeClaimTemplates, ['spec', 'volumeClaimTemplates']).forEach((item, i) => {
      const name = r.string(((item ?? {}) as Raw & {metadata?: Raw}).metadata?.name, ['spec', 'volumeClaimTemplates', i, 'metadata', 'name']);
      if (!name) return;
      r.loss(undefined, ['spec', 'volumeClaimTemplates', i], 'no claim is bound here: a named volume of the stack stands in');
      out.byName.set(name, named(name));
    });
  }
  return out;
}

// A ConfigMap or Secret as read-only files, as the kubelet projects them: one file
// per key (or per `items` entry), mode from `items[].mode`, else `defaultMode`, else 0644.
function dataVolume(r: K8sReader, workload: Workload, objects: K8sObjects, dir: string, name: string, type: 'configMap' | 'secret', spec: Raw, at: PathSegment[], files: ManifestFiles[]): PodVolume {
  const objectName = r.string(type === 'configMap' ? spec.name : spec.secretName, [...at, type === 'configMap' ? 'name' : 'secretName']) ?? '';
  const what = type === 'configMap' ? 'ConfigMap' : 'Secret';
  const hostPath = path.join(dir, '.sidecar', 'k8s', workload.name, name);
  const volume: ManifestFiles = {dir: hostPath, files: []};
  files.push(volume);
  const data = (type === 'configMap' ? objects.configMaps : objects.secrets).get(objectName);
  const defaultMode = r.int(spec.defaultMode, [...at, 'defaultMode'], 0, 0o777) ?? 0o644;
  if (!data) {
    r.loss(undefined, at, `${what} ${objectName} is not in the file: the volume is empty (add the ${what} document to the file)`);
  } else if (spec.items === undefined) {
    for (const [key, bytes] of data) volume.files.push({name: key, contentBase64: bytes.toString('base64'), mode: defaultMode});
  } else {
    r.list(spec.items, [...at, 'items']).forEach((item, i) => {
      const entry = r.map(item, [...at, 'items', i]) ?? {};
      const key = r.string(entry.key, [...at, 'items', i, 'key']) ?? '';
      const file = r.string(entry.path, [...at, 'items', i, 'path']) ?? key;
      const bytes = data.get(key);
      if (file.split('/').includes('..') || path.isAbsolute(file)) r.error([...at, 'items', i, 'path'], `path "${file}" leaves the volume`, 'write a relative path without ..');
      else if (!bytes) r.error([...at, 'items', i, 'key'], `${what} ${objectName} has no key "${key}"`, `add ${key} to the ${what}, or remove the item`);
      else volume.files.push({name: file, contentBase64: bytes.toString('base64'), mode: r.int(entry.mode, [...at, 'items', i, 'mode'], 0, 0o777) ?? defaultMode});
    });
  }
  return {kind: 'bind', hostPath, source: path.relative(dir, hostPath), readOnly: true};
}

// A container's volumeMounts against the pod's volumes.
export function mountsOf(r: K8sReader, service: string, container: Raw, at: PathSegment[], volumes: PodVolumes): VolumeMount[] {
  return r.list(container.volumeMounts, [...at, 'volumeMounts']).flatMap((item, i): VolumeMount[] => {
    const p = [...at, 'volumeMounts', i];
    const mount = r.map(item, p) ?? {};
    const name = r.string(mount.name, [...p, 'name']) ?? '';
    const target = r.string(mount.mountPath, [...p, 'mountPath']);
    if (!target || !target.startsWith('/')) {
      r.error([...p, 'mountPath'], 'mountPath must be an absolute path', 'write mountPath: /some/dir');
      return [];
    }
    const volume = volumes.byName.get(name);
    if (!volume) {
      r.error([...p, 'name'], `no volume of the pod is named "${name}"`, `declare it under volumes (- {name: ${name}, emptyDir: {}}) or fix the name`);
      return [];
    }
    for (const key of ['subPath', 'subPathExpr', 'mountPropagation']) {
      if (mount[key] !== undefined) r.loss(service, [...p, key], `${key} is not supported: the whole volume is mounted at ${target}`);
    }
    const readOnly = mount.readOnly === true;
    if (volume.kind === 'dropped') return [];
    if (volume.kind === 'volume') return [{type: 'volume', source: volume.source, target, readOnly}];
    return [{type: 'bind', source: volume.source, hostPath: volume.hostPath, target, readOnly: readOnly || volume.readOnly}];
  });
}

// hostPath `type`: the kubelet checks the path before it starts the pod (Directory,
// File, Socket, CharDevice, BlockDevice must exist; the OrCreate types are made).
// Docker makes any missing bind source a directory: where that differs, a loss.
const HOST_PATH_TYPES = ['', 'DirectoryOrCreate', 'Directory', 'FileOrCreate', 'File', 'Socket', 'CharDevice', 'BlockDevice'];

function hostPathType(r: K8sReader, at: PathSegment[], hostPath: string, type: string): void {
  if (!HOST_PATH_TYPES.includes(type)) {
    r.error([...at, 'type'], `hostPath type must be one of ${HOST_PATH_TYPES.filter((t) => t !== '').join(', ')}, not ${type}`, 'write one of them, or leave type out (no check)');
    return;
  }
  if (type === '' || type.endsWith('OrCreate')) {
    if (type === 'FileOrCreate' && !existsSync(hostPath)) r.loss(undefined, [...at, 'path'], `${hostPath} does not exist: Docker makes a directory there, not the empty file the kubelet would`);
    return;
  }
  // A loss, not an error: the file may be imported or generated on another machine than its node.
  if (!existsSync(hostPath)) r.loss(undefined, [...at, 'path'], `${hostPath} does not exist here, and type ${type} needs it (the kubelet would not start the pod): Docker makes an empty directory there`);
}
