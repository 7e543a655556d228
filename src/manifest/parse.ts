import {statSync} from 'node:fs';
import path from 'node:path';
import {LineCounter, isCollection, isMap, isScalar, isSeq, parseDocument, visit, Scalar, type YAMLError} from 'yaml';
import {SidecarError, type Problem} from '../errors/index.js';
import {MAX_MANIFEST_BYTES, readTextFile, type TextFile} from './read-text-file.js';
import {placeAtOffset, type ManifestSource} from './source.js';
import {invalid} from './invalid.js';
import {checkManifestPath} from './manifest-path.js';

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
  const text = readManifestText(file);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {lineCounter, prettyErrors: false, uniqueKeys: false, keepSourceTokens: false, merge: true});
  const source: ManifestSource = {displayPath: file, absolutePath, text, doc, lineCounter};

  const problems: Problem[] = depthProblems(source);
  if (problems.length === 0) problems.push(...syntaxProblems(source));
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

// The manifest's text, read as a bounded regular file (issue 9.9); `file` as the
// user gave it. Whoever reads a manifest's raw text (add edits it) goes through here.
export function readManifestText(file: string): string {
  checkManifestPath(file);
  const absolutePath = path.resolve(file);
  const read = readTextFile(absolutePath, file, MAX_MANIFEST_BYTES);
  if (!read.ok) throw unreadable(file, absolutePath, read);
  return read.text;
}

// Why a manifest could not be read: a missing one keeps its own code (a wrong
// -f; a directory was refused before, manifest-path.ts); a device, pipe,
// oversized or non-UTF-8 file is an invalid manifest at its place (issue 9.9, 9.12).
function unreadable(file: string, absolutePath: string, read: Extract<TextFile, {ok: false}>): SidecarError {
  if (read.missing) {
    // Run from a subdirectory of a project (found by a new user's trial): name the
    // manifest above, as git finds its repository; nothing is read from there.
    const above = manifestAbove(absolutePath);
    return new SidecarError('SIDECAR_MANIFEST_NOT_FOUND', `no manifest at ${file}`, {
      suggestion: above
        ? `${above} is the nearest one above: run sidecar from its directory, or point at it with -f ${above}`
        : 'run `sidecar init` to create one, or point at it with -f FILE (or SIDECAR_FILE)',
    });
  }
  return invalid([{message: read.message, place: {file, line: read.line, column: read.column, path: ''}, suggestion: read.suggestion}]);
}

// The same file name in the nearest directory above, as a path relative to here.
function manifestAbove(absolutePath: string): string | undefined {
  const name = path.basename(absolutePath);
  let dir = path.dirname(path.dirname(absolutePath));
  for (let depth = 0; depth < 32; depth++) {
    const candidate = path.join(dir, name);
    try {
      if (statSync(candidate).isFile()) return path.relative(process.cwd(), candidate) || candidate;
    } catch {
      // Not here: one level up.
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
  return undefined;
}

// A syntax error cascades into many follow-up errors that only repeat it, so
// report the first one (duplicate keys stand alone and are all reported).
function syntaxProblems(source: ManifestSource): Problem[] {
  const first = source.doc.errors.sort((a, b) => a.pos[0] - b.pos[0])[0];
  const syntax = (first ? [first] : []).map((error) => {
    const offset = unclosedStart(source, error) ?? error.pos[0];
    const place = placeAtOffset(source, offset, []);
    if (/Maximum call stack/.test(error.message)) return {message: 'YAML: the document nests too deeply to read', place, suggestion: `nest at most ${MAX_DEPTH} levels of lists and mappings`};
    return {message: `YAML: ${error.message.split('\n')[0]}`, place, suggestion: syntaxHint(source, error, place.line)};
  });
  return [...duplicateKeys(source), ...syntax];
}

// Duplicate keys with one Set per mapping: linear, where the parser's own
// uniqueKeys check compares every pair (100k keys took 90 s, issue 9.9).
// Merge keys (`<<`) may repeat, as the parser allows.
function duplicateKeys(source: ManifestSource): Problem[] {
  const problems: Problem[] = [];
  visit(source.doc, {
    Map(_key, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        const key: unknown = pair.key;
        const value = isScalar(key) ? key.value : key;
        if (typeof value === 'symbol' || (value !== null && typeof value === 'object')) continue;
        const id = `${typeof value}:${String(value)}`;
        if (!seen.has(id)) {
          seen.add(id);
          continue;
        }
        const offset = (key as {range?: [number, number, number]} | null)?.range?.[0] ?? map.range?.[0] ?? 0;
        problems.push({message: 'YAML: Map keys must be unique', place: placeAtOffset(source, offset, []), suggestion: YAML_HINTS.DUPLICATE_KEY!});
      }
    },
  });
  return problems;
}

// Every later stage walks the document recursively; a manifest is at most ~8
// levels deep, so anything past MAX_DEPTH is refused here, iteratively (issue 9.9).
export const MAX_DEPTH = 64;

function depthProblems(source: ManifestSource): Problem[] {
  const stack: [unknown, number][] = [[source.doc.contents, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > MAX_DEPTH) {
      const offset = (node as {range?: [number, number, number]} | null)?.range?.[0] ?? 0;
      return [{message: `the manifest nests more than ${MAX_DEPTH} levels deep`, place: placeAtOffset(source, offset, []), suggestion: `nest at most ${MAX_DEPTH} levels of lists and mappings`}];
    }
    if (isMap(node)) for (const pair of node.items) stack.push([pair.value, depth + 1]);
    else if (isSeq(node)) for (const item of node.items) stack.push([item, depth + 1]);
  }
  return [];
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
  if (unquotedSubstitutionInFlow(text)) {
    return 'quote values that hold ${...} inside [ ] or { }, e.g. {port: "${PORT}"}: a quoted value still takes the type of its field';
  }
  if (/^Flow (sequence|mapping)/.test(error.message)) return 'close the bracket on the same line, or indent its continuation lines deeper than the key';
  return YAML_HINTS[error.code] ?? 'fix the YAML syntax at this place';
}

// An unquoted `${` inside `[ ]` or `{ }` on this line, in one linear pass (the
// regex /[[{][^'"]*\$\{/ backtracked quadratically on a line of 100k `[`).
function unquotedSubstitutionInFlow(line: string): boolean {
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quote) {
      if (quote === '"' && ch === '\\') i++;
      else if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '[' || ch === '{') depth++;
    else if ((ch === ']' || ch === '}') && depth > 0) depth--;
    else if (depth > 0 && ch === '$' && line[i + 1] === '{') return true;
  }
  return false;
}

export {invalid};
