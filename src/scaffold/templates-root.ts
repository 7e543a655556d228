import {existsSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

// templates/ ships beside dist/ in the package. Found from this module's own
// location (dist/scaffold/ or the bundle's dist/bundle/), never from the cwd,
// so an installed `sidecar` works from any directory.
export function templatesRoot(from: string = import.meta.url): string {
  let dir = path.dirname(fileURLToPath(from));
  for (;;) {
    const candidate = path.join(dir, 'templates');
    if (existsSync(path.join(dir, 'package.json')) && existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`templates/ not found above ${fileURLToPath(from)}: the sidecar package is incomplete`);
    dir = parent;
  }
}
