import {readFileSync, statSync} from 'node:fs';
import path from 'node:path';
import {LineCounter, isMap, parseDocument} from 'yaml';
import {SidecarError, type Problem} from '../errors/index.js';
import {placeAtOffset, type ManifestSource} from './source.js';

const YAML_HINTS: Record<string, string> = {
  DUPLICATE_KEY: 'remove or rename one of the two keys',
  TAB_AS_INDENT: 'indent with spaces; YAML does not allow tabs',
  BAD_INDENT: 'align the item with its siblings',
  MISSING_CHAR: 'close the quote, bracket or brace',
  MULTILINE_IMPLICIT_KEY: 'a key must fit on one line; check for a missing colon or quote',
  BLOCK_AS_IMPLICIT_KEY: 'check for a missing colon after the key',
  UNEXPECTED_TOKEN: 'check the syntax near this place',
};

// Stage 1: read and parse, keeping positions for every later message.
export function parseManifest(file: string): ManifestSource {
  const absolutePath = path.resolve(file);
  let text: string;
  try {
    if (statSync(absolutePath).isDirectory()) {
      throw new SidecarError('SIDECAR_MANIFEST_NOT_FOUND', `${file} is a directory, not a manifest`, {
        suggestion: `pass the manifest file: sidecar -f ${path.join(file, 'sidecar.yaml')}`,
      });
    }
    text = readFileSync(absolutePath, 'utf8');
  } catch (error) {
    if (error instanceof SidecarError) throw error;
    throw new SidecarError('SIDECAR_MANIFEST_NOT_FOUND', `no manifest at ${file}`, {
      suggestion: 'run `sidecar init` to create one, or point at it with -f FILE (or SIDECAR_FILE)',
      cause: error,
    });
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {lineCounter, prettyErrors: false, uniqueKeys: true, keepSourceTokens: false});
  const source: ManifestSource = {displayPath: file, absolutePath, text, doc, lineCounter};

  const problems: Problem[] = doc.errors.map((error) => ({
    message: `YAML: ${error.message.split('\n')[0]}`,
    place: placeAtOffset(source, error.pos[0], []),
    suggestion: YAML_HINTS[error.code] ?? 'fix the YAML syntax at this place',
  }));
  if (problems.length === 0) {
    if (text.trim() === '' || doc.contents === null) {
      problems.push({
        message: 'the manifest is empty',
        place: {file, line: 1, column: 1, path: ''},
        suggestion: 'start from `sidecar init`, or add `version: 1` and an `app:` section',
      });
    } else if (!isMap(doc.contents)) {
      problems.push({
        message: 'the manifest must be a mapping of keys (version, name, app, sidecars, ...)',
        place: placeAtOffset(source, doc.contents.range?.[0] ?? 0, []),
        suggestion: 'write `version: 1` and `app:` at the top level, not a list or a single value',
      });
    }
  }
  if (problems.length > 0) throw invalid(problems);
  return source;
}

export function invalid(problems: Problem[]): SidecarError {
  const sorted = [...problems].sort(
    (a, b) => (a.place?.line ?? 0) - (b.place?.line ?? 0) || (a.place?.column ?? 0) - (b.place?.column ?? 0),
  );
  const first = sorted[0]!;
  const count = sorted.length === 1 ? '1 problem' : `${sorted.length} problems`;
  return new SidecarError('SIDECAR_MANIFEST_INVALID', `invalid manifest (${count})`, {
    place: first.place,
    problems: sorted,
    suggestion: sorted.length === 1 ? first.suggestion : 'fix each problem listed below, then run `sidecar validate`',
  });
}
