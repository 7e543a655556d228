import {readdirSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {loadManifest} from '../../src/manifest/load.js';
import {generate, type Generated, type GenerateOptions, type Target} from '../../src/generate/generate.js';
import {DEFAULT_INFRA_IMAGE} from '../../src/generate/compose.js';
import {renderDot} from '../../src/generate/graph-dot.js';
import {topology} from '../../src/generate/graph-model.js';
import {renderMermaid} from '../../src/generate/graph-mermaid.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const VALID = path.join(ROOT, 'test/fixtures/manifests/valid');

// Every example, and every valid fixture manifest: each gets a golden file per variant.
export const MANIFESTS: {name: string; file: string}[] = [
  ...readdirSync(path.join(ROOT, 'examples'), {withFileTypes: true})
    .filter((entry) => entry.isDirectory())
    .map((entry) => ({name: `example-${entry.name}`, file: path.join(ROOT, 'examples', entry.name, 'sidecar.yaml')})),
  ...readdirSync(VALID)
    .filter((file) => file.endsWith('.yaml'))
    .map((file) => ({name: file.replace(/\.yaml$/, ''), file: path.join(VALID, file)})),
].sort((a, b) => a.name.localeCompare(b.name));

export interface Variant {
  name: string;
  target: Target;
  options: GenerateOptions;
}

export const VARIANTS: Variant[] = [
  {name: 'compose', target: 'compose', options: {}},
  {name: 'k8s-pod', target: 'k8s', options: {kind: 'pod'}},
  {name: 'k8s-deployment', target: 'k8s', options: {kind: 'deployment'}},
  {name: 'k8s-job', target: 'k8s', options: {kind: 'job'}},
  {name: 'k8s-pod-plain', target: 'k8s', options: {kind: 'pod', nativeSidecars: false}},
];

// Loaded with an empty environment so the host's variables never leak into goldens.
export async function generateCase(file: string, variant: Variant, extra: GenerateOptions = {}): Promise<Generated> {
  const manifest = await loadManifest(file, {env: {}});
  return generate(manifest, variant.target, {infraImage: DEFAULT_INFRA_IMAGE, ...variant.options, ...extra});
}

// hostPath volumes are absolute: write the checkout's root as /REPO so goldens match anywhere.
export function portable(yaml: string): string {
  return yaml.split(ROOT).join('/REPO');
}

// `sidecar graph`: one golden picture source per format (<manifest>.graph.mmd, .graph.dot).
export const GRAPH_FORMATS = [
  {extension: 'mmd', render: renderMermaid},
  {extension: 'dot', render: renderDot},
] as const;

export async function graphCase(file: string, format: (typeof GRAPH_FORMATS)[number]): Promise<string> {
  return format.render(topology(await loadManifest(file, {env: {}})));
}
