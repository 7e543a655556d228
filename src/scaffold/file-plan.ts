// What a scaffold will write, computed in full before anything touches disk.
export interface PlannedFile {
  // Relative to the target directory, `/`-separated.
  path: string;
  content: Buffer;
  mode: number;
  // `create` may not replace an existing file without --force; `update` is a
  // deliberate edit of an existing file (the .gitignore merge, the manifest for `add`).
  action: 'create' | 'update';
}

export function textFile(filePath: string, text: string, action: PlannedFile['action'] = 'create', mode = 0o644): PlannedFile {
  return {path: filePath, content: Buffer.from(text, 'utf8'), mode, action};
}

// Files of a plan placed under a sub-directory (a sidecar's project in sidecars/<name>/).
export function underDir(dir: string, files: PlannedFile[]): PlannedFile[] {
  return files.map((file) => ({...file, path: `${dir}/${file.path}`}));
}
