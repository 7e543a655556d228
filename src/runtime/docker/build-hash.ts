import type {createHash as CreateHash} from 'node:crypto';
import {lstat, readFile, readlink} from 'node:fs/promises';
import {createRequire} from 'node:module';
import path from 'node:path';
import type {BuildSpec} from '../../manifest/types.js';
import {contextFiles} from './build-context.js';

// The label an image we built carries: the hash of what went into it.
export const BUILD_HASH_LABEL = 'sidecar.build-hash';

// Issue 8.5: what a build depends on, as a hash: every file the engine would
// receive (the context minus .dockerignore, as `docker build` sends it: path,
// mode and content; a symlink by its target), the Dockerfile's path and the
// build args. A changed file, Dockerfile or arg means a new image; a change to
// an ignored file (node_modules, .git) does not.
export async function buildHash(build: BuildSpec): Promise<string> {
  const dockerfile = path.relative(build.context, path.resolve(build.context, build.dockerfile)).split(path.sep).join('/');
  const files = (await contextFiles(build.context, dockerfile)).sort();
  // node:crypto (native, for contexts of any size) loads only for a stack with a build (issue 13.2).
  const {createHash} = createRequire(import.meta.url)('node:crypto') as {createHash: typeof CreateHash};
  const hash = createHash('sha256');
  hash.update(JSON.stringify({dockerfile, args: Object.entries(build.args).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))}));
  for (const file of files) {
    const full = path.join(build.context, file);
    const stat = await lstat(full);
    const content = stat.isSymbolicLink() ? Buffer.from(await readlink(full)) : await readFile(full);
    hash.update(`\0${file}\0${stat.mode & 0o777}\0${content.length}\0`);
    hash.update(content);
  }
  return hash.digest('hex').slice(0, 16);
}
