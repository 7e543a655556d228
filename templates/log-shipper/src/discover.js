import fs from 'node:fs/promises';
import path from 'node:path';

// Which files to follow right now: every match of LOG_PATTERN in LOG_DIR (so
// files the app creates later are picked up), or the fixed LOG_FILES list.
// Re-run on every poll; a missing file is simply not there yet.
export async function discover({logDir, logPattern, logFiles}) {
  if (logFiles.length > 0) {
    const found = [];
    for (const file of logFiles) {
      const stat = await statOrNull(path.resolve(logDir, file));
      if (stat?.isFile()) found.push({path: path.resolve(logDir, file), name: file, stat});
    }
    return found;
  }
  const pattern = globToRegExp(logPattern);
  const found = [];
  for (const entry of await readdirOrEmpty(logDir)) {
    if (!pattern.test(entry)) continue;
    const file = path.join(logDir, entry);
    const stat = await statOrNull(file);
    if (stat?.isFile()) found.push({path: file, name: entry, stat});
  }
  return found;
}

// `*` and `?` only: enough for `*.log` and `app-?.log`, and no dependency.
// Dotfiles never match, so the shipper's own state can live in the directory.
export function globToRegExp(glob) {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  return new RegExp(`^(?!\\.)${body}$`);
}

// After a restart, a file we were still reading may have been rotated to a
// name the pattern does not match (app.log -> app.log.1): find it by inode.
export async function findByKey(dirs, key) {
  for (const dir of dirs) {
    for (const entry of await readdirOrEmpty(dir)) {
      const file = path.join(dir, entry);
      const stat = await statOrNull(file);
      if (stat?.isFile() && fileKey(stat) === key) return {path: file, stat};
    }
  }
  return undefined;
}

// A file's identity survives renames; its path does not.
export function fileKey(stat) {
  return `${stat.dev}:${stat.ino}`;
}

async function statOrNull(file) {
  try {
    return await fs.stat(file);
  } catch (error) {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return null;
    throw error;
  }
}

async function readdirOrEmpty(dir) {
  try {
    return (await fs.readdir(dir)).sort();
  } catch (error) {
    if (error.code === 'ENOENT') return [];
    throw error;
  }
}
