import {chmodSync, mkdirSync, readdirSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import type {Manifest} from '../manifest/types.js';

// The ConfigMap and Secret volumes of a Kubernetes file (issue 12.1), under
// .sidecar/k8s/, as the kubelet projects the object's keys. Rewritten in
// place, never by replacing the directory: a running container's bind mount
// holds the directory itself, so `up` on a running stack updates what it sees
// (as the kubelet updates a mounted ConfigMap), and a key removed from the file
// is gone from it.
export function writeManifestFiles(manifest: Manifest): void {
  const root = path.join(manifest.dir, '.sidecar', 'k8s');
  for (const volume of manifest.files ?? []) {
    // Only under .sidecar/k8s/ of this project: the mapping builds these paths, never the file's text.
    if (path.relative(root, volume.dir).startsWith('..')) throw new Error(`refusing to write files outside ${root}: ${volume.dir}`);
    mkdirSync(volume.dir, {recursive: true});
    const wanted = new Set(volume.files.map((file) => path.normalize(file.name)));
    // Directories no wanted file lies in, and files not wanted, go.
    const holds = (dir: string): boolean => [...wanted].some((name) => name.startsWith(`${dir}${path.sep}`));
    for (const entry of readdirSync(volume.dir, {recursive: true, withFileTypes: true})) {
      const relative = path.relative(volume.dir, path.join(entry.parentPath, entry.name));
      if (entry.isDirectory() ? !holds(relative) : !wanted.has(relative)) rmSync(path.join(volume.dir, relative), {recursive: true, force: true});
    }
    for (const file of volume.files) {
      const target = path.join(volume.dir, file.name);
      mkdirSync(path.dirname(target), {recursive: true});
      // A read-only mode from a previous run would refuse the write.
      rmSync(target, {force: true});
      writeFileSync(target, Buffer.from(file.contentBase64, 'base64'), {mode: file.mode});
      // The umask may have cut the mode the file asked for.
      chmodSync(target, file.mode);
    }
  }
}
