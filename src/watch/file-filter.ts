import {readFileSync} from 'node:fs';
import path from 'node:path';
import dockerignoreModule from '@balena/dockerignore';
import type {Manifest, WatchAction} from '../manifest/types.js';
import {allServices} from '../manifest/types.js';
import type {SyncEntry} from '../runtime/types.js';
import type {LinkGuard} from './link-guard.js';

const dockerignore = dockerignoreModule.default;

// Never watched (DESIGN): version control, dependencies, sidecar's own state.
const NEVER = new Set(['.git', 'node_modules', '.sidecar']);
// Editors' own files: vim's swap files and its 4913 write probe, emacs lock and
// backup files, JetBrains' safe-write temporaries. Their write-temp-then-rename
// saves otherwise show up as extra files (the batcher also drops add-then-unlink).
const EDITOR_TEMP = [/\.sw[a-px]$/, /~$/, /^\.#/, /^4913$/, /___jb_(tmp|old)___$/];

export interface RuleMatch {
  service: string;
  action: WatchAction;
}

// Which rules a changed file triggers, and what the watcher must not even walk.
export class WatchFilter {
  private readonly project: ReturnType<typeof dockerignore>;
  private readonly prune: boolean;
  private readonly rules: {service: string; action: WatchAction; root: string; target?: string; ignore: ReturnType<typeof dockerignore>; loose: RegExp[]}[];

  constructor(readonly manifest: Manifest) {
    let text = '';
    try {
      text = readFileSync(path.join(manifest.dir, '.dockerignore'), 'utf8');
    } catch {
      // No .dockerignore: nothing more to ignore.
    }
    this.project = dockerignore({ignorecase: false}).add(text);
    // A `!pattern` may re-include a file below an ignored directory: then directories are walked.
    this.prune = !/^\s*!/m.test(text);
    this.rules = allServices(manifest).flatMap((service) =>
      service.watch.map((rule) => ({
        service: service.id,
        action: rule.action,
        root: rule.path,
        ...(rule.target !== undefined ? {target: rule.target} : {}),
        ignore: dockerignore({ignorecase: false}).add(rule.ignore),
        // A pattern without `/` also matches a name at any depth (`*.test.js`), as in .gitignore.
        loose: rule.ignore.filter((p) => !p.includes('/') && !p.startsWith('!')).map(globToRegExp),
      })),
    );
  }

  // The distinct paths to hand the watcher.
  roots(): string[] {
    return [...new Set(this.rules.map((rule) => rule.root))];
  }

  // Asked for files and directories: true = neither report nor walk it.
  ignored(absolute: string, isDirectory: boolean): boolean {
    const relative = path.relative(this.manifest.dir, absolute);
    if (relative === '') return false;
    const parts = relative.split(path.sep);
    if (parts.some((part) => NEVER.has(part))) return true;
    if (!isDirectory && EDITOR_TEMP.some((re) => re.test(parts[parts.length - 1]!))) return true;
    if (isDirectory && !this.prune) return false;
    return this.project.ignores(parts.join('/'));
  }

  matches(absolute: string): RuleMatch[] {
    return this.matching(absolute).map((rule) => ({service: rule.service, action: rule.action}));
  }

  // Where a file goes in the service's container, once per sync rule that covers
  // it: `target` stands for the rule's path (a file rule's target is the file).
  targets(service: string, absolute: string): string[] {
    return this.syncRules(service, absolute).map((rule) => this.targetOf(rule, absolute));
  }

  // What a sync copies of a file on the host: its targets, for each rule the file
  // is reached under without following a link, and how it is read (link-guard.ts); a deletion
  // (targets) reads nothing and is removed whatever led to it.
  copies(service: string, absolute: string, guard: LinkGuard): SyncEntry[] {
    return this.syncRules(service, absolute).flatMap((rule) => {
      const from = guard.reach(rule.root, absolute);
      return from ? [{host: absolute, target: this.targetOf(rule, absolute), from}] : [];
    });
  }

  // The sync rules of a service: where to walk for the initial sync.
  syncRoots(service: string): string[] {
    return [...new Set(this.rules.filter((rule) => rule.service === service && rule.target !== undefined && rule.action.startsWith('sync')).map((rule) => rule.root))];
  }

  private syncRules(service: string, absolute: string): WatchFilter['rules'] {
    return this.matching(absolute).filter((rule) => rule.service === service && rule.target !== undefined && (rule.action === 'sync' || rule.action === 'sync+restart'));
  }

  private targetOf(rule: WatchFilter['rules'][number], absolute: string): string {
    return path.posix.join(rule.target!, ...path.relative(rule.root, absolute).split(path.sep));
  }

  private matching(absolute: string): WatchFilter['rules'] {
    if (this.ignored(absolute, false)) return [];
    return this.rules.filter((rule) => {
      const relative = path.relative(rule.root, absolute);
      if (relative.startsWith('..') || path.isAbsolute(relative)) return false;
      if (relative === '') return true;
      const posix = relative.split(path.sep).join('/');
      return !(rule.ignore.ignores(posix) || rule.loose.some((re) => re.test(path.basename(absolute))));
    });
  }
}

function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  return new RegExp(`^${body}$`);
}
