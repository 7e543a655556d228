import fs from 'node:fs/promises';

// The app writes into LOG_DIR, often as another user (the Node image's `node`)
// than this sidecar, which runs as root in its image. A shared volume created
// by root is opened to every writer with the sticky bit, as /tmp is.
export async function prepareLogDir(dir) {
  await fs.mkdir(dir, {recursive: true});
  if (process.getuid?.() !== 0) return;
  const stats = await fs.stat(dir);
  if (stats.uid === 0 && (stats.mode & 0o7777) !== 0o1777) await fs.chmod(dir, 0o1777);
}
