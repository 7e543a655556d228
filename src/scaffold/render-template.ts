import {lstatSync, readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import type {PlannedFile} from './file-plan.js';

// Template metadata and things a developer's checkout may hold: never copied.
const SKIP = new Set(['template.json', 'node_modules', '.git', '.DS_Store']);

export interface RenderOptions {
  name: string;
  // More tokens to replace, e.g. `__IMAGE__` (the image tag a fragment names).
  tokens?: Record<string, string>;
  // Relative paths (inside the template) to leave out.
  exclude?: string[];
}

// A template directory as a plan: contents verbatim except `__NAME__`, and a
// file named `gitignore` becomes `.gitignore` (npm drops dot-gitignore files
// from published packages, hence the rename).
export function renderTemplate(templateDir: string, options: RenderOptions): PlannedFile[] {
  const exclude = new Set(options.exclude ?? []);
  const files: PlannedFile[] = [];
  const walk = (relative: string): void => {
    const entries = readdirSync(path.join(templateDir, relative), {withFileTypes: true}).sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const source = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (SKIP.has(entry.name) || exclude.has(source)) continue;
      if (entry.isDirectory()) {
        walk(source);
        continue;
      }
      // Only regular files: a symlink in a template could point anywhere.
      if (!entry.isFile()) continue;
      const absolute = path.join(templateDir, source);
      files.push({
        path: renamed(source),
        content: substitute(readFileSync(absolute), options.name, options.tokens),
        mode: lstatSync(absolute).mode & 0o111 ? 0o755 : 0o644,
        action: 'create',
      });
    }
  };
  walk('');
  return files;
}

function renamed(source: string): string {
  const parts = source.split('/');
  if (parts.at(-1) === 'gitignore') parts[parts.length - 1] = '.gitignore';
  return parts.join('/');
}

// Binary files (a NUL byte in them) are copied untouched.
export function substitute(content: Buffer, name: string, tokens: Record<string, string> = {}): Buffer {
  if (content.includes(0)) return content;
  let text = content.toString('utf8');
  let changed = false;
  for (const [token, value] of Object.entries({__NAME__: name, ...tokens})) {
    if (!text.includes(token)) continue;
    text = text.replaceAll(token, value);
    changed = true;
  }
  return changed ? Buffer.from(text, 'utf8') : content;
}
