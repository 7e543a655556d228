import {readdir, readFile} from 'node:fs/promises';
import path from 'node:path';
import dockerignoreModule from '@balena/dockerignore';

// A CommonJS module whose factory also sits on `.default` (what its typings describe).
const dockerignore = dockerignoreModule.default;

// The files of a build context, relative and with `/` separators, minus what
// .dockerignore excludes (ignored directories are not even walked: node_modules).
// The Dockerfile and .dockerignore always go, as with `docker build`.
export async function contextFiles(context: string, dockerfile: string): Promise<string[]> {
  const rules = await readFile(path.join(context, '.dockerignore'), 'utf8').catch(() => '');
  const ignore = dockerignore({ignorecase: false}).add(rules);
  const keep = new Set(['.dockerignore', path.relative(context, path.resolve(context, dockerfile)).split(path.sep).join('/')]);
  // A `!pattern` exception may re-include a file below an ignored directory: walk everything then.
  const prune = !/^\s*!/m.test(rules);
  const files: string[] = [];
  const walk = async (relative: string): Promise<void> => {
    const entries = await readdir(path.join(context, relative), {withFileTypes: true});
    for (const entry of entries) {
      const name = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!prune || !ignore.ignores(name)) await walk(name);
        continue;
      }
      if (entry.isFile() || entry.isSymbolicLink()) files.push(name);
    }
  };
  await walk('');
  return files.filter((file) => keep.has(file) || !ignore.ignores(file));
}
