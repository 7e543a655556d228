import {existsSync} from 'node:fs';
import {mkdir, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {SidecarError} from '../errors/index.js';
import {kubernetesToManifest} from '../manifest/k8s/kubernetes.js';
import {describeDoc, looksLikeKubernetes, parseKubernetes} from '../manifest/k8s/k8s-source.js';
import {LossList, type Loss} from '../manifest/loss.js';
import {interpolationEnv} from '../manifest/interpolate.js';
import {invalid, readManifestText} from '../manifest/parse.js';
import {checksOf, type Manifest, type ManifestFiles} from '../manifest/types.js';
import {validateManifestText} from '../scaffold/validate-text.js';
import {composeToManifest} from './compose-reader.js';
import {writeNative, type ImportedService} from './native-writer.js';

export interface ImportPlan {
  from: 'kubernetes' | 'compose';
  yaml: string;
  losses: Loss[];
  // ConfigMap and Secret volumes of a Kubernetes file, as files beside the output (bind-mounted read-only).
  files: ManifestFiles[];
  // Variables the file needs set, as Compose does (a port `${API_PORT}:3000` without a default).
  needs: string[];
}

// Where a Kubernetes file's ConfigMap/Secret volumes go beside the written sidecar.yaml.
export const FILES_DIR = 'k8s-files';

// FILE (Kubernetes YAML or docker-compose) -> the sidecar.yaml text for `output`.
export function planImport(file: string, output: string): ImportPlan {
  const text = readManifestText(file);
  const outputDir = path.dirname(path.resolve(output));
  if (looksLikeKubernetes(text)) return fromKubernetes(file, text, outputDir);
  // Compose's own variable for `--profile`, from the environment or the .env beside the
  // file as Compose reads it: the services of those profiles are imported too.
  const profiles = (interpolationEnv(file).COMPOSE_PROFILES ?? '').split(',').map((p) => p.trim()).filter((p) => p !== '');
  const {manifest, losses} = composeToManifest(file, text, profiles);
  const specs = manifest.pods.flatMap((pod) => [pod.app, ...pod.sidecars, ...pod.init]).flatMap((service) => (service as ImportedService).portSpecs ?? []);
  // `${NAME}` and `${NAME:?}` forms; `${NAME:-default}` and `${NAME-default}` stand on their own.
  const needs = [...new Set(specs.flatMap((spec) => [...spec.matchAll(/(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(?=\}|:?\?)/g)].map((match) => match[1]!)))];
  return {from: 'compose', yaml: writeNative(manifest, losses, {outputDir, escapeDollars: false}), losses, files: [], needs};
}

function fromKubernetes(file: string, text: string, outputDir: string): ImportPlan {
  const {source, problems} = parseKubernetes(file, text);
  const result = kubernetesToManifest(source, problems);
  if (result.problems.length > 0) throw invalid(result.problems);
  const manifest = result.manifest;
  const losses = new LossList();
  for (const loss of result.losses) losses.add(loss.service, loss.feature, loss.message);
  const files = relocateFiles(manifest, outputDir);
  for (const service of manifest.pods.flatMap((pod) => [pod.app, ...pod.sidecars, ...pod.init])) {
    // What the Manifest keeps from Kubernetes but sidecar.yaml cannot say.
    if (service.workingDir) losses.add(service.id, 'workingDir', `the image's working directory is used, not ${service.workingDir} (sidecar.yaml's workdir is the process runtime's)`);
    // sidecar.yaml's ports publish: a port the container only declares has no place
    // there (unless a Service publishes it or a probe checks it, which say as much).
    const known = new Set([...service.ports.map((p) => `${p.containerPort}/${p.protocol}`), ...checksOf(service).flatMap(({check}) => (check.kind === 'http' || check.kind === 'tcp' ? [`${check.port}/tcp`] : []))]);
    const unsaid = (service.listens ?? []).filter((l) => !known.has(`${l.port}/${l.protocol}`)).map((l) => `${l.port}${l.protocol === 'udp' ? '/udp' : ''}`);
    if (unsaid.length > 0) {
      losses.add(service.id, 'ports', `containerPort ${unsaid.join(', ')}: sidecar.yaml has no unpublished port, so under the process runtime nothing checks ${unsaid.length === 1 ? 'it is' : 'they are'} free before the start (add "${unsaid[0]}" to ports to publish it on 127.0.0.1)`);
    }
    if (service.replacesEntrypoint) losses.add(service.id, 'command', 'Kubernetes `command` replaces the image\'s ENTRYPOINT; sidecar.yaml\'s `command` replaces its CMD, so an image with an ENTRYPOINT runs it first under Docker');
  }
  const single = manifest.pods.length === 1 ? manifest.pods[0]!.name : undefined;
  // One pod: its volumes keep their Kubernetes names (the reader prefixes POD- so pods never share one).
  const volumeName = single === undefined ? undefined : (name: string) => (name.startsWith(`${single}-`) ? name.slice(single.length + 1) : name);
  // `up -f` removes an emptyDir's volume on down, as Kubernetes does with its pod; sidecar.yaml has no such volume.
  for (const spec of Object.values(manifest.volumes)) {
    if (spec.ephemeral) losses.add(undefined, `volumes.${volumeName ? volumeName(spec.name) : spec.name}`, 'an emptyDir became a named volume of sidecar.yaml: its files outlive `sidecar down` until `down --volumes`');
  }
  // The reader resolves secretKeyRef and Secret volumes to their values: in a file that is meant to be committed, say so.
  if (source.docs.some((doc) => describeDoc(doc).kind === 'Secret')) {
    losses.add(undefined, 'Secret', `the Secrets' values are written in plain text (env values, and files under ${FILES_DIR}/): keep them out of version control, or move them to an envFile`);
  }
  const list = losses.list();
  return {from: 'kubernetes', yaml: writeNative(manifest, list, {outputDir, escapeDollars: true, ...(volumeName ? {volumeName} : {})}), losses: list, files, needs: []};
}

// The reader puts ConfigMap/Secret files under .sidecar/k8s/ for `up` to write; an
// import writes them once beside the sidecar.yaml and mounts them from there.
function relocateFiles(manifest: Manifest, outputDir: string): ManifestFiles[] {
  const moved = new Map<string, string>();
  const files = (manifest.files ?? []).map((entry) => {
    const rel = path.relative(path.join(manifest.dir, '.sidecar', 'k8s'), entry.dir);
    const dir = path.join(outputDir, FILES_DIR, rel);
    moved.set(entry.dir, dir);
    return {...entry, dir};
  });
  for (const service of manifest.pods.flatMap((pod) => [pod.app, ...pod.sidecars, ...pod.init])) {
    for (const mount of service.volumes) {
      if (mount.type === 'bind' && moved.has(mount.hostPath)) mount.hostPath = moved.get(mount.hostPath)!;
    }
  }
  delete manifest.files;
  return files;
}

// Write the plan: refuse to overwrite without --force (as scaffolding does), check
// the text with the real manifest pipeline first, then the files, then sidecar.yaml.
// Returns what must be set before `up` (variables the file needs that are not set now).
export async function writeImport(plan: ImportPlan, output: string, force: boolean): Promise<string[]> {
  const target = path.resolve(output);
  const existing = [target, ...plan.files.map((f) => f.dir)].filter((p) => existsSync(p));
  if (existing.length > 0 && !force) {
    throw new SidecarError('SIDECAR_SCAFFOLD_CONFLICT', `${existing.length === 1 ? `${path.relative(process.cwd(), existing[0]!) || existing[0]} already exists` : `${existing.length} paths already exist`}; nothing was written`, {
      suggestion: 'pass --force to overwrite, or -o to write elsewhere',
    });
  }
  await mkdir(path.dirname(target), {recursive: true});
  const warnings = await validateManifestText(plan.yaml, target, 'sidecar import', [], plan.needs);
  for (const entry of plan.files) {
    await mkdir(entry.dir, {recursive: true});
    for (const file of entry.files) {
      const where = path.join(entry.dir, file.name);
      await mkdir(path.dirname(where), {recursive: true});
      await writeFile(where, Buffer.from(file.contentBase64, 'base64'), {mode: file.mode});
    }
  }
  await writeFile(target, plan.yaml);
  return warnings;
}
