import {readFileSync} from 'node:fs';
import path from 'node:path';
import {SidecarError} from '../errors/index.js';
import {placeSidecar} from './add-sidecar.js';
import {adoptedManifest, adoptionNotes, findExistingApp} from './adopt-app.js';
import {textFile, type PlannedFile} from './file-plan.js';
import {mergeGitignore} from './gitignore-merge.js';
import {renderTemplate} from './render-template.js';
import type {ScaffoldResult} from './scaffold-result.js';
import {checkName, suggestName} from './scaffold-name.js';
import {inspectDestination, resolveInside, resolveTargetDir} from './safe-path.js';
import {findTemplate} from './template-catalog.js';
import {validateManifestText} from './validate-text.js';
import {writePlan} from './write-plan.js';

export interface InitOptions {
  dir: string;
  // Templates to start from: at most one project template (default `project`)
  // and any sidecar templates to include.
  templates?: string[];
  name?: string;
  // More sidecar templates to include (the interactive choice).
  sidecars?: string[];
  force: boolean;
  cwd?: string;
  templatesRoot?: string;
}

const MANIFEST = 'sidecar.yaml';
const GITIGNORE = '.gitignore';

// The project name `init` proposes: the directory's name made valid, as Compose does.
export function defaultProjectName(dir: string, cwd: string = process.cwd()): string {
  return suggestName(path.basename(path.resolve(cwd, dir))) || 'app';
}

// `sidecar init`: the project template (manifest, README, .gitignore, app/),
// plus any sidecar templates merged into the manifest with their projects in
// sidecars/<name>/, each wired to the others. In a directory that already holds
// an app, only what is missing around it: sidecar.yaml, the .gitignore entry
// and the sidecars' projects.
export async function initProject(options: InitOptions): Promise<ScaffoldResult> {
  const dir = resolveTargetDir(options.dir, options.cwd);
  const root = options.templatesRoot ? {root: options.templatesRoot} : {};
  const chosen = (options.templates ?? []).map((template) => findTemplate(template, root));
  const projects = chosen.filter((template) => template.kind === 'project');
  if (projects.length > 1) {
    throw new SidecarError('SIDECAR_SCAFFOLD_INVALID', `more than one project template given (${projects.map((template) => template.name).join(', ')})`, {
      suggestion: 'give one project template; every other --template must be a sidecar template',
    });
  }
  const project = projects[0] ?? findTemplate('project', {...root, kind: 'project'});
  const sidecars = [...new Set([...chosen.filter((template) => template.kind === 'sidecar').map((template) => template.name), ...(options.sidecars ?? [])])];
  const name = checkName(options.name ?? defaultProjectName(dir), 'project name');
  const existing = findExistingApp(dir);

  const files = existing ? [textFile(MANIFEST, adoptedManifest(name, existing))] : renderTemplate(project.dir, {name});
  const manifest = files.find((file) => file.path === MANIFEST);
  if (!manifest) throw new SidecarError('SIDECAR_SCAFFOLD_INVALID', `template "${project.name}" has no ${MANIFEST}`, {suggestion: 'this is a bug in the template; report it'});
  let manifestText = manifest.content.toString('utf8');
  const next = existing ? adoptionNotes(existing) : [];
  for (const sidecar of sidecars) {
    const template = findTemplate(sidecar, {...root, kind: 'sidecar'});
    const placed = placeSidecar(manifestText, `${project.name}/${MANIFEST}`, template, checkName(template.name, 'sidecar name'), true, name);
    manifestText = placed.text;
    files.push(...placed.files);
    next.push(...placed.notes);
  }
  manifest.content = Buffer.from(manifestText, 'utf8');
  const warnings = await validateManifestText(manifestText, path.join(dir, MANIFEST), `init with ${[existing ? 'the app in the directory' : project.name, ...sidecars].join(', ')}`);

  const plan = withGitignore(dir, files);
  return {dir, name, template: project.name, files: writePlan(dir, plan, {force: options.force}), sidecars, warnings, next, ...(existing ? {adopted: existing.found} : {})};
}

// .sidecar/ holds run state and logs: it must be ignored. An existing
// .gitignore is extended with the missing lines, never replaced or duplicated.
function withGitignore(dir: string, files: PlannedFile[]): PlannedFile[] {
  const planned = files.find((file) => file.path === GITIGNORE);
  const wanted = mergeGitignore(planned?.content.toString('utf8') ?? '', '.sidecar/\n') ?? planned?.content.toString('utf8') ?? '';
  const others = files.filter((file) => file !== planned);
  const destination = resolveInside(dir, GITIGNORE);
  if (inspectDestination(dir, destination).state !== 'file') return [...others, textFile(GITIGNORE, wanted)];
  const merged = mergeGitignore(readFileSync(destination, 'utf8'), wanted);
  return merged === undefined ? others : [...others, textFile(GITIGNORE, merged, 'update')];
}
