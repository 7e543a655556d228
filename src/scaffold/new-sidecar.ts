import path from 'node:path';
import {renderTemplate} from './render-template.js';
import type {ScaffoldResult} from './scaffold-result.js';
import {checkName} from './scaffold-name.js';
import {resolveTargetDir} from './safe-path.js';
import {findTemplate} from './template-catalog.js';
import {writePlan} from './write-plan.js';

export interface NewSidecarOptions {
  template: string;
  dir: string;
  name?: string;
  force: boolean;
  cwd?: string;
  templatesRoot?: string;
}

// `sidecar new TEMPLATE DIR`: a standalone sidecar project (package.json,
// source, Dockerfile, tests) named after DIR unless --name says otherwise.
export function newSidecar(options: NewSidecarOptions): ScaffoldResult {
  const dir = resolveTargetDir(options.dir, options.cwd);
  const template = findTemplate(options.template, {kind: 'sidecar', ...(options.templatesRoot ? {root: options.templatesRoot} : {})});
  const name = options.name === undefined ? checkName(path.basename(dir), `directory name`) : checkName(options.name, 'sidecar name');
  // Standalone, the sidecar is its own project: its image is NAME:dev.
  const files = renderTemplate(template.dir, {name, tokens: {__IMAGE__: `${name}:dev`}});
  return {dir, name, template: template.name, files: writePlan(dir, files, {force: options.force}), sidecars: [name], warnings: [], next: []};
}
