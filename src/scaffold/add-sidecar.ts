import {existsSync, lstatSync, readFileSync, realpathSync} from 'node:fs';
import path from 'node:path';
import {ExitCode, SidecarError} from '../errors/index.js';
import {loadManifest} from '../manifest/load.js';
import {readManifestText} from '../manifest/parse.js';
import {textFile, underDir, type PlannedFile} from './file-plan.js';
import {placeFragment} from './fragment-node.js';
import {addSidecar, parseManifestDocument, STRINGIFY} from './manifest-edit.js';
import {spliceSidecar} from './manifest-splice.js';
import {renderTemplate, substitute} from './render-template.js';
import type {ScaffoldResult} from './scaffold-result.js';
import {checkName} from './scaffold-name.js';
import {findTemplate, type Template} from './template-catalog.js';
import {lenientEnv, requiredVariables, validateManifestText} from './validate-text.js';
import {wireSidecar} from './wire-sidecar.js';
import {writePlan} from './write-plan.js';

export interface AddSidecarOptions {
  template: string;
  name?: string;
  file: string;
  // Copy the template's project into sidecars/<name>/ beside the manifest.
  copy: boolean;
  force: boolean;
  templatesRoot?: string;
}

// `sidecar add TEMPLATE`: the template's fragment becomes sidecars.<name> in
// the existing manifest (comments and order kept), its project is copied to
// sidecars/<name>/, the result must pass the manifest pipeline, and only then
// is anything written.
export async function addSidecarToManifest(options: AddSidecarOptions): Promise<ScaffoldResult> {
  const file = path.resolve(options.file);
  checkManifestFile(file, options.file);
  // Bounded, regular files only: `add -f /dev/zero` grew past 2.8 GB (issue 9.9).
  const read = readManifestText(options.file);
  // Issue 8.12: edited as LF text, written back with the file's own line endings.
  const crlf = read.includes('\r\n');
  const original = crlf ? read.replaceAll('\r\n', '\n') : read;
  // The manifest must be valid before it is edited (exit 3 otherwise); a
  // required variable left for later (`${JWT_SECRET:?...}`) is not a problem here.
  const loaded = await loadManifest(file, {env: lenientEnv(original, file).env});
  // Kubernetes YAML is read as it is, never rewritten (DESIGN "Kubernetes YAML as input").
  if (loaded.source === 'kubernetes') {
    throw new SidecarError('SIDECAR_USAGE', `${options.file} is Kubernetes YAML: \`add\` edits a sidecar.yaml`, {exitCode: ExitCode.usage, suggestion: 'add the sidecar to the Pod spec as an init container with restartPolicy: Always'});
  }
  const template = findTemplate(options.template, {kind: 'sidecar', ...(options.templatesRoot ? {root: options.templatesRoot} : {})});
  const name = checkName(options.name ?? template.name, 'sidecar name');
  const {text, files: copied, notes} = placeSidecar(original, options.file, template, name, options.copy, loaded.name);
  const warnings = await validateManifestText(text, file, `adding "${name}"`, requiredVariables(original));
  const root = path.dirname(file);
  if (!options.copy && !existsSync(path.join(root, 'sidecars', name))) {
    warnings.push(`sidecars/${name}/ does not exist: create it with \`sidecar new ${template.name} sidecars/${name}\` (the manifest runs it from there)`);
  }
  // The rewritten manifest keeps the file's permissions.
  const manifest = textFile(path.basename(file), crlf ? text.replaceAll('\n', '\r\n') : text, 'update', lstatSync(file).mode & 0o777);
  const files = writePlan(root, [...copied, manifest], {force: options.force});
  return {dir: root, name, template: template.name, files, sidecars: [name], warnings, next: notes};
}

// The manifest text with the sidecar added (inserted into the text when it
// can be, so every existing byte stays; else reprinted through the Document
// API, which still keeps comments and order), and the project files for sidecars/<name>/.
// Issue 8.5: its image is tagged PROJECT-NAME:dev, so two projects never share (and rebuild over) one tag.
export function placeSidecar(manifestText: string, manifestName: string, template: Template, name: string, copy: boolean, project: string): {text: string; files: PlannedFile[]; notes: string[]} {
  const doc = parseManifestDocument(manifestText, manifestName);
  const fragmentFile = path.join(template.dir, 'sidecar.fragment.yaml');
  const tokens = {__IMAGE__: `${project}-${name}:dev`};
  const fragmentText = substitute(readFileSync(fragmentFile), name, tokens).toString('utf8');
  const placed = placeFragment(fragmentText, {
    projectDir: `./sidecars/${name}`,
    hasDockerfile: existsSync(path.join(template.dir, 'Dockerfile')),
    source: fragmentFile,
  });
  const notes = wireSidecar(doc, name, placed.node, template.wiring);
  addSidecar(doc, name, placed);
  // Spliced when only the entry (and volume lines) were added; reprinted when wiring changed other services.
  const text = spliceSidecar(manifestText, name, doc) ?? doc.toString(STRINGIFY);
  return {text, notes, files: copy ? underDir(`sidecars/${name}`, renderTemplate(template.dir, {name, tokens, exclude: ['sidecar.fragment.yaml']})) : []};
}

// The manifest is replaced by rename: a symlinked manifest would be turned into a plain file.
function checkManifestFile(file: string, given: string): void {
  let stats;
  try {
    stats = lstatSync(file);
  } catch {
    throw new SidecarError('SIDECAR_MANIFEST_NOT_FOUND', `no manifest at ${given}`, {
      suggestion: 'create one with `sidecar init`, or point -f at your sidecar.yaml',
    });
  }
  if (stats.isSymbolicLink()) {
    throw new SidecarError('SIDECAR_SCAFFOLD_CONFLICT', `${given} is a symbolic link; sidecar add never writes through one`, {
      suggestion: `run add with -f ${realpathSync(file)}`,
    });
  }
}
