import {isMap, isScalar, Pair, parseDocument, Scalar, YAMLMap, type Document} from 'yaml';
import {SidecarError} from '../errors/index.js';
import type {PlacedFragment} from './fragment-node.js';

// The yaml Document API keeps comments and key order; these options keep the
// rest of the user's formatting (no folding of long lines, `[a, b]` as written).
export const STRINGIFY = {lineWidth: 0, flowCollectionPadding: false} as const;

export function parseManifestDocument(text: string, file: string): Document {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    throw new SidecarError('SIDECAR_MANIFEST_INVALID', `${file} is not valid YAML: ${doc.errors[0]!.message}`, {
      suggestion: 'fix the YAML first (`sidecar validate` shows every problem)',
    });
  }
  if (!isMap(doc.contents)) {
    throw new SidecarError('SIDECAR_MANIFEST_INVALID', `${file} is not a mapping`, {suggestion: 'a manifest starts with `version: 1` and `app:`'});
  }
  return doc;
}

// Names already taken in the manifest: the app, every sidecar and init job.
export function usedNames(doc: Document): string[] {
  const names = ['app'];
  for (const section of ['sidecars', 'init']) {
    const map = doc.get(section, true);
    if (isMap(map)) for (const item of map.items) if (isScalar(item.key)) names.push(String(item.key.value));
  }
  return names;
}

// sidecars.<name> = the fragment; `sidecars:` is created right after `app:`
// when missing; named volumes the fragment mounts are declared when missing.
export function addSidecar(doc: Document, name: string, placed: PlacedFragment): void {
  if (usedNames(doc).includes(name)) {
    throw new SidecarError('SIDECAR_SCAFFOLD_INVALID', `the manifest already has a service named "${name}"`, {
      suggestion: `choose another name with --name (in use: ${usedNames(doc).join(', ')})`,
    });
  }
  const root = doc.contents as YAMLMap;
  const sidecars = ensureSection(root, 'sidecars', ['app']);
  const key = new Scalar(name);
  if (sidecars.items.length > 0) key.spaceBefore = true;
  sidecars.items.push(new Pair(key, placed.node));
  if (placed.namedVolumes.length === 0) return;
  const volumes = ensureSection(root, 'volumes', []);
  for (const volume of placed.namedVolumes) {
    if (!volumes.has(volume)) volumes.set(volume, new YAMLMap());
  }
}

// A top-level block map, created after the last of `after` present (else at the end).
function ensureSection(root: YAMLMap, section: string, after: string[]): YAMLMap {
  const existing = root.get(section, true);
  if (isMap(existing)) {
    // `volumes: {}` written in flow style would put the new entries on one line.
    existing.flow = existing.items.length > 0 ? existing.flow : false;
    return existing;
  }
  const map = new YAMLMap();
  const key = new Scalar(section);
  key.spaceBefore = true;
  const pair = new Pair(key, map);
  if (existing !== undefined) {
    // `sidecars:` with no value (null): replace it in place.
    const index = root.items.findIndex((item) => isScalar(item.key) && item.key.value === section);
    root.items[index] = pair;
    return map;
  }
  let index = -1;
  for (const anchor of after) index = Math.max(index, root.items.findIndex((item) => isScalar(item.key) && item.key.value === anchor));
  if (index >= 0) root.items.splice(index + 1, 0, pair);
  else root.items.push(pair);
  return map;
}
