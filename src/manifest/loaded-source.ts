import type {Place} from '../errors/index.js';
import {K8sPlaces} from './k8s/k8s-places.js';
import {parseKubernetes, type K8sSource} from './k8s/k8s-source.js';
import {parseManifest, readManifestText} from './parse.js';
import {sourcePlaces, type ManifestPlaces, type ManifestSource, type PathSegment} from './source.js';

export type {ManifestPlaces} from './source.js';
import type {Manifest} from './types.js';

// A copy of the manifest reads the file again.
const sources = new WeakMap<Manifest, ManifestSource>();
const k8sSources = new WeakMap<Manifest, K8sSource>();

export function rememberSource(manifest: Manifest, source: ManifestSource): void {
  sources.set(manifest, source);
}

export function rememberK8sSource(manifest: Manifest, source: K8sSource): void {
  k8sSources.set(manifest, source);
}

// The parsed sidecar.yaml behind a loaded manifest.
export function sourceOfManifest(manifest: Manifest): ManifestSource {
  return sources.get(manifest) ?? parseManifest(manifest.file);
}

export function placesOf(manifest: Manifest): ManifestPlaces {
  if (manifest.source === 'kubernetes') {
    return new K8sPlaces(k8sSources.get(manifest) ?? parseKubernetes(manifest.file, readManifestText(manifest.file)).source, manifest);
  }
  return sourcePlaces(sourceOfManifest(manifest));
}

// The place of a manifest path on an error path; undefined when the file cannot be read again.
export function placeInManifest(manifest: Manifest, at: readonly PathSegment[], atKey = false): Place | undefined {
  try {
    return placesOf(manifest).locate(at, atKey);
  } catch {
    return undefined;
  }
}

