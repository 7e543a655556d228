import type {Place, Problem} from '../errors/index.js';
import {K8sPlaces, type Listen} from './k8s/k8s-places.js';
import {parseKubernetes, type K8sSource} from './k8s/k8s-source.js';
import {parseManifest, readManifestText} from './parse.js';
import {locate, locateWithin, type ManifestSource, type PathSegment} from './source.js';
import type {Manifest, Service} from './types.js';

// Where a path of the loaded manifest (`pods.web.app.ports[0]`) is in the file
// the user gave, for checks that run after loading (the process runtime's port
// clashes, generate's requirements): in a sidecar.yaml the path itself; in a
// Kubernetes file the field it was read from, with its Kubernetes path.
export interface ManifestPlaces {
  locate(path: readonly PathSegment[], atKey?: boolean): Place;
  locateWithin(path: readonly PathSegment[], needle: string): Place;
  // Ports a service's program listens on beyond its `ports` (a Kubernetes containerPort).
  listens(service: Service): Listen[];
}

export function problemIn(places: ManifestPlaces, at: readonly PathSegment[], message: string, suggestion?: string, atKey = false): Problem {
  return {message, place: places.locate(at, atKey), ...(suggestion ? {suggestion} : {})};
}

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
  const source = sourceOfManifest(manifest);
  return {locate: (at, atKey) => locate(source, at, atKey), locateWithin: (at, needle) => locateWithin(source, at, needle), listens: () => []};
}

// The place of a manifest path on an error path; undefined when the file cannot be read again.
export function placeInManifest(manifest: Manifest, at: readonly PathSegment[], atKey = false): Place | undefined {
  try {
    return placesOf(manifest).locate(at, atKey);
  } catch {
    return undefined;
  }
}

