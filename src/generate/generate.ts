import type {Manifest} from '../manifest/types.js';
import {composeFile, type ComposeOptions} from './compose.js';
import {k8sDocuments, type K8sOptions} from './k8s.js';
import type {Loss} from './loss.js';
import {renderYaml} from './yaml-render.js';

export type Target = 'compose' | 'k8s';
export type GenerateOptions = ComposeOptions & K8sOptions;

export interface Generated {
  target: Target;
  yaml: string;
  losses: Loss[];
}

// Manifest → YAML text plus what the target cannot express. Pure: the same
// manifest and options always give the same bytes.
export function generate(manifest: Manifest, target: Target, options: GenerateOptions = {}): Generated {
  if (target === 'compose') {
    const {document, losses} = composeFile(manifest, options);
    return {target, yaml: renderYaml(document), losses};
  }
  // Several objects (a pod's Service, several pods) as one multi-document stream, as kubectl reads it.
  const {documents, losses} = k8sDocuments(manifest, options);
  return {target, yaml: documents.map(renderYaml).join('---\n'), losses};
}
