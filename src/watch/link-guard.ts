import {realpathSync} from 'node:fs';
import path from 'node:path';
import {isWithin} from '../manifest/watch-rules.js';

// Which host files a watch `sync` may read (the rule never to follow a symbolic
// link out of the project). A sync copies what is under a rule's path, as
// `docker compose watch` does, and a link there goes over as a link, as `docker cp`
// sends it: never what it points at. So a file is read only when the rule's path
// resolves inside the project and no link lies between that path and the file's
// directory (the file itself may be a link: tarOf sends it as one). `validate`
// and `up --watch` refuse a rule's path that leads out of the project; this holds
// for links made after that, at the time of each copy. One guard per batch or
// initial sync: real paths are cached per directory, links change between batches.
export class LinkGuard {
  private readonly real = new Map<string, string | undefined>();
  private readonly project: string | undefined;

  constructor(projectDir: string) {
    this.project = this.resolve(projectDir);
  }

  // The rule's path leads to a place inside the project (a link to inside is fine).
  rootAllowed(root: string): boolean {
    const real = this.resolve(root);
    return this.project !== undefined && real !== undefined && isWithin(real, this.project);
  }

  // `host`, covered by the rule whose path is `root`, may be read for a copy.
  allows(root: string, host: string): boolean {
    if (this.project === undefined) return false;
    const parent = path.dirname(host);
    const realParent = this.resolve(parent);
    if (realParent === undefined) return false;
    // A file rule: the file goes as it is (a link as a link), from a directory of the project.
    if (host === root) return isWithin(realParent, this.project);
    if (!this.rootAllowed(root)) return false;
    return realParent === path.join(this.resolve(root)!, path.relative(root, parent));
  }

  private resolve(absolute: string): string | undefined {
    if (!this.real.has(absolute)) {
      let real: string | undefined;
      try {
        real = realpathSync(absolute);
      } catch {
        real = undefined;
      }
      this.real.set(absolute, real);
    }
    return this.real.get(absolute);
  }
}
