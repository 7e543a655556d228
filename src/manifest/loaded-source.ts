import {parseManifest} from './parse.js';
import type {ManifestSource} from './source.js';
import type {Manifest} from './types.js';

// The parsed file behind a loaded manifest, for checks that run after loading
// and must still point at file:line:column with the path the user gave (the
// process runtime's port clashes). A copy of the manifest reads the file again.
const sources = new WeakMap<Manifest, ManifestSource>();

export function rememberSource(manifest: Manifest, source: ManifestSource): void {
  sources.set(manifest, source);
}

export function sourceOfManifest(manifest: Manifest): ManifestSource {
  return sources.get(manifest) ?? parseManifest(manifest.file);
}
