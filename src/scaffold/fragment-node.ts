import path from 'node:path';
import {isMap, isScalar, isSeq, parseDocument, Pair, Scalar, visit, type YAMLMap} from 'yaml';
import {SidecarError} from '../errors/index.js';
import {volumeRefs} from '../manifest/volume-refs.js';

export interface PlacedFragment {
  node: YAMLMap;
  // Named volumes the sidecar mounts (they must exist under top-level `volumes:`).
  namedVolumes: string[];
}

// A template's sidecar.fragment.yaml is written as if its manifest sat in the
// sidecar's own project directory (`command: [node, src/main.js]`, `build: .`).
// Placed in a manifest whose project lives in `projectDir` (e.g.
// `./sidecars/edge`), every path in it is rebased there: `workdir` (the process
// runtime's cwd), `build`, relative bind mounts and env files. Commands stay
// as they are, since they run from that workdir (process) or the image's
// WORKDIR (docker).
export function placeFragment(fragmentText: string, options: {projectDir: string; hasDockerfile: boolean; source: string}): PlacedFragment {
  const doc = parseDocument(fragmentText);
  if (doc.errors.length > 0 || !isMap(doc.contents)) {
    throw new SidecarError('SIDECAR_SCAFFOLD_INVALID', `${options.source} is not a YAML mapping${doc.errors[0] ? `: ${doc.errors[0].message}` : ''}`, {
      suggestion: 'this is a bug in the template; report it',
    });
  }
  const node = doc.contents as YAMLMap;
  // The fragment's leading comment describes the sidecar: keep it with the entry.
  if (doc.commentBefore) node.commentBefore = [doc.commentBefore, node.commentBefore].filter(Boolean).join('\n');
  const rebase = (value: string): string => rebasePath(options.projectDir, value);

  const workdir = node.get('workdir');
  if (typeof workdir === 'string') node.set('workdir', rebase(workdir));
  else insertAfter(node, ['command', 'image'], 'workdir', options.projectDir);

  const processNode = node.get('process', true);
  if (isMap(processNode) && typeof processNode.get('workdir') === 'string') processNode.set('workdir', rebase(processNode.get('workdir') as string));

  const build = node.get('build', true);
  if (isScalar(build) && typeof build.value === 'string') build.value = rebase(build.value);
  else if (isMap(build) && typeof build.get('context') === 'string') build.set('context', rebase(build.get('context') as string));
  else if (build === undefined && options.hasDockerfile) insertAfter(node, ['image'], 'build', options.projectDir);

  const envFile = node.get('envFile', true);
  if (isScalar(envFile) && typeof envFile.value === 'string') envFile.value = rebase(envFile.value);
  if (isSeq(envFile)) for (const item of envFile.items) if (isScalar(item) && typeof item.value === 'string') item.value = rebase(item.value);

  const namedVolumes: string[] = [];
  const volumes = node.get('volumes', true);
  if (isSeq(volumes)) {
    for (const item of volumes.items) {
      if (!isScalar(item) || typeof item.value !== 'string') continue;
      const [source, ...rest] = item.value.split(':');
      if (source === undefined || rest.length === 0) continue;
      if (/^\.\.?(\/|$)/.test(source)) item.value = [rebase(source), ...rest].join(':');
      else if (/^[a-z0-9][a-z0-9_.-]*$/.test(source)) namedVolumes.push(source);
    }
  }
  // `${volumes.NAME}` in env (the shipper's LOG_DIR) needs the volume declared too.
  visit(node, {
    Scalar(_key, scalar) {
      if (typeof scalar.value === 'string') namedVolumes.push(...volumeRefs(scalar.value));
    },
  });
  return {node, namedVolumes: [...new Set(namedVolumes)]};
}

// `./sidecars/edge` + `src` -> `./sidecars/edge/src`; absolute and `~` paths stay.
export function rebasePath(projectDir: string, value: string): string {
  if (path.posix.isAbsolute(value) || value.startsWith('~') || value.startsWith('$')) return value;
  const joined = path.posix.join(projectDir, value);
  return joined.startsWith('.') || joined.startsWith('/') ? joined : `./${joined}`;
}

// Puts a new key right after the first existing key of `after` (reading order), else first.
function insertAfter(node: YAMLMap, after: string[], key: string, value: string): void {
  const pair = new Pair(new Scalar(key), new Scalar(value));
  for (const anchor of after) {
    const index = node.items.findIndex((item) => isScalar(item.key) && item.key.value === anchor);
    if (index >= 0) {
      node.items.splice(index + 1, 0, pair);
      return;
    }
  }
  node.items.unshift(pair);
}
