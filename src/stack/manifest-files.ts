import {chmodSync, mkdirSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import type {Manifest} from '../manifest/types.js';

// The ConfigMap and Secret volumes of a Kubernetes file (issue 12.1): each
// directory rewritten whole under .sidecar/k8s/, as the kubelet projects the
// object's keys, so a key removed from the file is gone on the next `up`.
// Containers mount them read-only.
export function writeManifestFiles(manifest: Manifest): void {
  const root = path.join(manifest.dir, '.sidecar', 'k8s');
  for (const volume of manifest.files ?? []) {
    // Only under .sidecar/k8s/ of this project: the mapping builds these paths, never the file's text.
    if (path.relative(root, volume.dir).startsWith('..')) throw new Error(`refusing to write files outside ${root}: ${volume.dir}`);
    rmSync(volume.dir, {recursive: true, force: true});
    mkdirSync(volume.dir, {recursive: true});
    for (const file of volume.files) {
      const target = path.join(volume.dir, file.name);
      mkdirSync(path.dirname(target), {recursive: true});
      writeFileSync(target, Buffer.from(file.contentBase64, 'base64'), {mode: file.mode});
      // The umask may have cut the mode the file asked for.
      chmodSync(target, file.mode);
    }
  }
}
