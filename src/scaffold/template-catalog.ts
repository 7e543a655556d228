import {readdirSync, readFileSync, statSync} from 'node:fs';
import path from 'node:path';
import {SidecarError} from '../errors/index.js';
import {didYouMean} from '../manifest/did-you-mean.js';
import {templatesRoot} from './templates-root.js';
import {readWiring, type Wiring} from './template-wiring.js';

export type TemplateKind = 'sidecar' | 'project';

export interface Template {
  name: string;
  kind: TemplateKind;
  description: string;
  // Absolute directory of the template.
  dir: string;
  wiring: Wiring;
}

// Every templates/<name>/ with a readable template.json, sorted: projects first, then by name.
export function listTemplates(root: string = templatesRoot()): Template[] {
  const templates: Template[] = [];
  for (const entry of readdirSync(root, {withFileTypes: true})) {
    if (!entry.isDirectory()) continue;
    const template = readTemplate(path.join(root, entry.name));
    if (template) templates.push(template);
  }
  return templates.sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'project' ? -1 : 1));
}

// Unknown names get a did-you-mean and the list of what exists.
export function findTemplate(name: string, options: {root?: string; kind?: TemplateKind} = {}): Template {
  const all = listTemplates(options.root ?? templatesRoot());
  const candidates = options.kind ? all.filter((template) => template.kind === options.kind) : all;
  const found = candidates.find((template) => template.name === name);
  if (found) return found;
  const other = all.find((template) => template.name === name);
  const names = candidates.map((template) => template.name);
  if (other) {
    throw new SidecarError('SIDECAR_SCAFFOLD_INVALID', `template "${name}" is a ${other.kind} template; this command needs a ${options.kind} template`, {
      suggestion: `use one of: ${names.join(', ')}`,
    });
  }
  const near = didYouMean(name, names);
  throw new SidecarError('SIDECAR_SCAFFOLD_INVALID', `unknown template "${name}"${near ? `; did you mean "${near}"?` : ''}`, {
    suggestion: `available ${options.kind ? `${options.kind} ` : ''}templates: ${names.join(', ')} (see \`sidecar templates\`)`,
  });
}

function readTemplate(dir: string): Template | undefined {
  let raw: unknown;
  try {
    if (!statSync(path.join(dir, 'template.json')).isFile()) return undefined;
    raw = JSON.parse(readFileSync(path.join(dir, 'template.json'), 'utf8'));
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const {kind, description, wiring} = raw as Record<string, unknown>;
  if (kind !== 'sidecar' && kind !== 'project') return undefined;
  // The directory name is the name users type; template.json's `name` is informative.
  return {
    name: path.basename(dir),
    kind,
    description: typeof description === 'string' ? description : '',
    dir,
    wiring: readWiring(wiring),
  };
}
