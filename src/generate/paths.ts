import path from 'node:path';

// Paths in a generated file are relative to where the file lives (Compose
// resolves them so), which also keeps the bytes the same on every checkout.
export function relativeTo(baseDir: string, target: string): string {
  const relative = path.relative(baseDir, target).split(path.sep).join('/');
  if (relative === '') return '.';
  if (relative.startsWith('../') || relative === '..' || path.isAbsolute(relative)) return relative;
  return `./${relative}`;
}
