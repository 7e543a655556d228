import path from 'node:path';
import type {Problem} from '../../errors/index.js';
import {LossList, type Loss} from '../loss.js';
import {projectNameFromDir} from '../normalize.js';
import type {Manifest, Pod, VolumeSpec} from '../types.js';
import {readObjects, WORKLOAD_KINDS} from './k8s-objects.js';
import {podOf} from './k8s-pod.js';
import {publishServices} from './k8s-services.js';
import type {K8sSource} from './k8s-source.js';

export interface KubernetesResult {
  manifest: Manifest;
  // What does not carry over, once each (issue 12.2); `sidecar import` writes them as comments.
  losses: Loss[];
  // Every problem of the file, each at file:line:column with its Kubernetes path.
  problems: Problem[];
}

// Kubernetes documents -> the stack they describe (DESIGN "Kubernetes YAML as
// input"): a pure mapping, shared by every command that reads a manifest and by
// `sidecar import`, which writes the same Manifest as a sidecar.yaml.
export function kubernetesToManifest(source: K8sSource, problems: Problem[] = []): KubernetesResult {
  const losses = new LossList();
  const dir = path.dirname(source.absolutePath);
  const objects = readObjects(source, problems, losses);
  const pods = new Map<string, Pod>();
  const volumes: Record<string, VolumeSpec> = {};
  const files: NonNullable<Manifest['files']> = [];
  for (const workload of objects.workloads) {
    if (pods.has(workload.name)) {
      workload.reader.error(['metadata', 'name'], `two workloads are named "${workload.name}": each becomes a pod, and pod names are unique`, 'rename one of them');
      continue;
    }
    const mapped = podOf(workload, objects, dir);
    if (workload.kind === 'Job') {
      const limit = workload.reader.int(((workload.top.spec ?? {}) as Record<string, unknown>).backoffLimit, ['spec', 'backoffLimit'], 0);
      if (mapped.pod.app.restart === 'on-failure') mapped.pod.app.maxRestarts = limit ?? 6;
    }
    pods.set(workload.name, mapped.pod);
    Object.assign(volumes, mapped.volumes.stack);
    files.push(...mapped.volumes.files);
  }
  publishServices(objects.services, objects.workloads, pods);
  if (objects.workloads.length === 0 && source.docs.length > 0) {
    problems.push({
      message: `no ${WORKLOAD_KINDS.join(', ')} in the file: nothing to run`,
      place: {file: source.displayPath, line: 1, column: 1, path: ''},
      suggestion: 'add a Pod (or a Deployment, StatefulSet or Job) to the file',
    });
  }
  const manifest: Manifest = {
    version: 1,
    name: projectNameFromDir(dir),
    file: source.absolutePath,
    dir,
    form: 'pods',
    pods: [...pods.values()],
    volumes,
    source: 'kubernetes',
    ...(files.length > 0 ? {files} : {}),
  };
  return {manifest, losses: losses.list(), problems: dedupe(problems)};
}

// A field read twice (a named port for a probe and for a Service) reports once.
function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((problem) => {
    const key = `${problem.place?.line}:${problem.place?.column}:${problem.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
