import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

// Replaces `file` so that a reader sees either the old content or the new one,
// never a half-written file: write a temp file in the SAME directory (rename
// is only atomic within one filesystem), fsync it, rename it over the target,
// then fsync the directory so the rename itself survives a crash.
export async function writeAtomically(file, content) {
  const dir = path.dirname(file);
  await fs.mkdir(dir, {recursive: true});
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`);
  try {
    const handle = await fs.open(temp, 'wx', 0o644);
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, file);
  } catch (error) {
    await fs.rm(temp, {force: true});
    throw error;
  }
  await syncDirectory(dir);
}

// Not every platform lets a directory be opened and fsynced (Windows); the
// rename already happened, so this is durability, not atomicity: best effort.
async function syncDirectory(dir) {
  let handle;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch {
    // ignored on purpose, see above
  } finally {
    await handle?.close();
  }
}
