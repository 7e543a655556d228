import path from 'node:path';
import {LineCounter, isMap, isScalar, parseAllDocuments, type Document} from 'yaml';
import type {Problem} from '../../errors/index.js';
import {placeAtOffset, type ManifestSource} from '../source.js';

// A Kubernetes YAML file: a stream of documents, each an object with apiVersion
// and kind (DESIGN "Kubernetes YAML as input"). Every document keeps its node
// positions, so a problem points at file:line:column like a sidecar.yaml's.
export interface K8sSource {
  displayPath: string;
  absolutePath: string;
  text: string;
  // One ManifestSource per non-empty document (offsets are the whole file's),
  // so `locate`/`problemAt` work on each as on a manifest.
  docs: ManifestSource[];
}

// Whether a file's text is Kubernetes YAML rather than a sidecar.yaml: its first
// non-empty document is a mapping with both `apiVersion` and `kind`.
export function looksLikeKubernetes(text: string): boolean {
  // Cheap pre-check: a sidecar.yaml never has both keys at the top level.
  if (!/^apiVersion\s*:/m.test(text) || !/^kind\s*:/m.test(text)) return false;
  try {
    for (const doc of parseAllDocuments(text)) {
      if (!('contents' in doc) || doc.contents === null) continue;
      return isMap(doc.contents) && doc.contents.has('apiVersion') && doc.contents.has('kind');
    }
  } catch {
    return false;
  }
  return false;
}

// Parse every document; YAML syntax errors are problems at their place, all at once.
export function parseKubernetes(file: string, text: string): {source: K8sSource; problems: Problem[]} {
  const lineCounter = new LineCounter();
  // YAML 1.1 as Kubernetes reads it (sigs.k8s.io/yaml): `defaultMode: 0400` is octal.
  const parsed = parseAllDocuments(text, {lineCounter, prettyErrors: false, merge: true, version: '1.1'});
  const all = Array.isArray(parsed) ? parsed : [];
  const base = {displayPath: file, absolutePath: path.resolve(file), text, lineCounter};
  const problems: Problem[] = [];
  const docs: ManifestSource[] = [];
  for (const doc of all as Document.Parsed[]) {
    const first = doc.errors[0];
    if (first) {
      problems.push({message: `YAML: ${first.message.split('\n')[0]}`, place: placeAtOffset({...base, doc}, first.pos[0], []), suggestion: 'fix the YAML syntax at this place'});
      continue;
    }
    if (doc.contents === null) continue;
    if (!isMap(doc.contents) || !doc.contents.has('kind') || !doc.contents.has('apiVersion')) {
      problems.push({message: 'every document of a Kubernetes file needs apiVersion and kind', place: placeAtOffset({...base, doc}, doc.contents.range?.[0] ?? 0, []), suggestion: 'add apiVersion and kind, or remove the document'});
      continue;
    }
    docs.push({...base, doc});
  }
  return {source: {...base, docs}, problems};
}

// The `kind` and `metadata.name` of a document, for messages and losses.
export function describeDoc(doc: ManifestSource): {kind: string; name: string} {
  const contents = doc.doc.contents;
  const kind = isMap(contents) ? contents.get('kind') : undefined;
  const metadata = isMap(contents) ? contents.get('metadata', true) : undefined;
  const name = isMap(metadata) ? metadata.get('name') : undefined;
  return {kind: typeof kind === 'string' ? kind : isScalar(kind) ? String(kind.value) : '?', name: typeof name === 'string' ? name : ''};
}
