import {readFileSync, statSync} from 'node:fs';
import path from 'node:path';
import {LineCounter, isCollection, isMap, isScalar, parseDocument, visit, Scalar, type YAMLError} from 'yaml';
import {SidecarError, type Place, type Problem} from '../errors/index.js';
import {locate, placeAtOffset, type ManifestSource, type PathSegment} from './source.js';

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
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new SidecarError('SIDECAR_MANIFEST_NOT_FOUND', `cannot read ${file}: ${(error as Error).message}`, {
        suggestion: 'check the file permissions, or point at another manifest with -f FILE',
        cause: error,
      });
    }
    throw new SidecarError('SIDECAR_MANIFEST_NOT_FOUND', `no manifest at ${file}`, {
      suggestion: 'run `sidecar init` to create one, or point at it with -f FILE (or SIDECAR_FILE)',
      cause: error,
    });
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {lineCounter, prettyErrors: false, uniqueKeys: true, keepSourceTokens: false, merge: true});
  const source: ManifestSource = {displayPath: file, absolutePath, text, doc, lineCounter};

  const problems: Problem[] = syntaxProblems(source);
  if (problems.length === 0) problems.push(...structureProblems(source));
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

// A syntax error cascades into many follow-up errors that only repeat it, so
// report the first one (duplicate keys stand alone and are all reported).
function syntaxProblems(source: ManifestSource): Problem[] {
  const duplicates = source.doc.errors.filter((error) => error.code === 'DUPLICATE_KEY');
  const first = source.doc.errors.filter((error) => error.code !== 'DUPLICATE_KEY').sort((a, b) => a.pos[0] - b.pos[0])[0];
  return [...duplicates, ...(first ? [first] : [])].map((error) => {
    const offset = unclosedStart(source, error) ?? error.pos[0];
    const place = placeAtOffset(source, offset, []);
    return {message: `YAML: ${error.message.split('\n')[0]}`, place, suggestion: syntaxHint(source, error, place.line)};
  });
}

// Structure the parser accepts but toJS cannot turn into a manifest: aliases
// without an anchor, and collection keys (`? [a, b]: x`), which would be stringified.
function structureProblems(source: ManifestSource): Problem[] {
  const problems: Problem[] = [];
  visit(source.doc, {
    Alias(_key, alias) {
      if (alias.resolve(source.doc) !== undefined) return;
      problems.push({message: `alias *${alias.source} has no anchor &${alias.source} above it`, place: placeAtOffset(source, alias.range?.[0] ?? 0, []), suggestion: `define &${alias.source} on a value before this line, or write the value out`});
    },
    Pair(_key, pair) {
      const key: unknown = pair.key;
      // A merge key `<<` is a scalar holding a symbol.
      const plain = isScalar(key) && (key.value === null || ['string', 'number', 'boolean', 'symbol'].includes(typeof key.value));
      if (plain || key === null) return;
      const offset = (pair.key as {range?: [number, number, number]}).range?.[0] ?? 0;
      problems.push({message: 'a key must be a plain name, not a list, mapping, alias or tagged value', place: placeAtOffset(source, offset, []), suggestion: 'write the key as a plain word followed by ": "'});
    },
  });
  return problems;
}

// An unclosed quote or bracket is reported where the parser gave up (often the
// next line); point at the opening instead, which is what needs fixing.
function unclosedStart(source: ManifestSource, error: YAMLError): number | undefined {
  const quote = error.code === 'MISSING_CHAR' && /quote/.test(error.message);
  const flow = error.code === 'BAD_INDENT' && /^Flow (sequence|mapping)/.test(error.message);
  if (!quote && !flow) return undefined;
  let start: number | undefined;
  visit(source.doc, {
    Node(_key, node) {
      const range = node.range;
      if (!range || range[1] !== error.pos[0] || (start !== undefined && range[0] <= start)) return;
      const quoted = isScalar(node) && (node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE);
      if ((quote && quoted) || (flow && isCollection(node) && node.flow === true)) start = range[0];
    },
  });
  return start;
}

function syntaxHint(source: ManifestSource, error: YAMLError, line: number): string {
  const text = source.text.split(/\r?\n/)[line - 1] ?? '';
  // `{port: ${PORT}}`: inside a flow collection an unquoted `${` opens a mapping.
  if (/[[{][^'"]*\$\{/.test(text) && error.code !== 'DUPLICATE_KEY') {
    return 'quote values that hold ${...} inside [ ] or { }, e.g. {port: "${PORT}"}';
  }
  if (/^Flow (sequence|mapping)/.test(error.message)) return 'close the bracket on the same line, or indent its continuation lines deeper than the key';
  return YAML_HINTS[error.code] ?? 'fix the YAML syntax at this place';
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

// The place of a manifest path, for checks that run after loading (a generator's
// requirement, a runtime's): the file is parsed again, only on that error path.
export function placeInManifestFile(file: string, at: readonly PathSegment[], atKey = false): Place | undefined {
  try {
    return locate(parseManifest(path.relative(process.cwd(), file) || file), at, atKey);
  } catch {
    return undefined;
  }
}
