import {realpathSync} from 'node:fs';
import path from 'node:path';
import {isWithin} from '../manifest/watch-rules.js';
import type {NoFollowPath} from '../runtime/types.js';

// Which host files a watch `sync` may read (the rule never to follow a symbolic
// link out of the project). A sync copies what is under a rule's path, as
// `docker compose watch` does, and a link there goes over as a link, as `docker cp`
// sends it: never what it points at. So a file is read only when the rule's path
// resolves inside the project and no link lies between that path and the file's
// directory (the file itself may be a link: tarOf sends it as one), and then read
// along the real path found here without following a link (reach). `validate`
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

  // How `host`, covered by the rule whose path is `root`, is read for a copy, when it
  // may be: from the project's real path down the directories found here, each
  // opened again without following a link at the time of the read (no-follow-read.ts),
  // so a directory swapped for a link after this check is not read through.
  reach(root: string, host: string): NoFollowPath | undefined {
    if (this.project === undefined) return undefined;
    const parent = path.dirname(host);
    const realParent = this.resolve(parent);
    if (realParent === undefined || !isWithin(realParent, this.project)) return undefined;
    // A file rule: the file goes as it is (a link as a link), from a directory of the
    // project. A dir rule: no link between its path and the file's directory.
    if (host !== root) {
      if (!this.rootAllowed(root) || realParent !== path.join(this.resolve(root)!, path.relative(root, parent))) return undefined;
    }
    const dirs = path.relative(this.project, realParent).split(path.sep).filter((part) => part !== '');
    return {base: this.project, below: [...dirs, path.basename(host)]};
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
