import type {Document, LineCounter, Node, Pair, YAMLMap} from 'yaml';
import {isMap, isPair, isScalar, isSeq} from 'yaml';
import type {Place, Problem} from '../errors/index.js';
import type {Service} from './types.js';
import {safeJson} from '../output/safe-json.js';

export type PathSegment = string | number;

// The parsed file with what every stage needs to point at a line and column.
export interface ManifestSource {
  // Path as the user gave it (relative paths stay relative in messages).
  displayPath: string;
  absolutePath: string;
  text: string;
  doc: Document.Parsed;
  lineCounter: LineCounter;
}

// A key with a control character in it is shown quoted, the character named
// (\u001b), as the message quotes it: the terminal sanitizer would drop it and
// the text around it (found by a new user's trial: `sidecars.ared` for "a\u001b[31mred").
export function pathToString(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else {
      const shown = hasControl(segment) ? safeJson(segment) : segment;
      out += out === '' ? shown : `.${shown}`;
    }
  }
  return out;
}

// C0 and C1 controls (and DEL).
function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return true;
  }
  return false;
}

export function placeAtOffset(source: ManifestSource, offset: number, path: readonly PathSegment[]): Place {
  const {line, col} = source.lineCounter.linePos(offset);
  return {file: source.displayPath, line, column: col, path: pathToString(path)};
}

// A map's pairs by key, made once per map node: a place is looked up for every
// service (graph.ts), and a search of the `sidecars` map for each of them made
// `validate` of N services O(N^2) (found by a trial: 20,000 services, 12.5 s).
// The first pair of a key wins, as the search did.
const pairsByKey = new WeakMap<object, Map<string, Pair>>();

function pairOf(map: YAMLMap, key: PathSegment): Pair | undefined {
  let index = pairsByKey.get(map);
  if (!index) {
    index = new Map();
    for (const item of map.items) {
      if (!isPair(item) || !isScalar(item.key)) continue;
      const name = String(item.key.value);
      if (!index.has(name)) index.set(name, item);
    }
    pairsByKey.set(map, index);
  }
  return index.get(String(key));
}

// The node at a path; for a missing leaf, the closest existing ancestor.
function nodeAt(source: ManifestSource, path: readonly PathSegment[]): {node: Node | null; depth: number} {
  let node: unknown = source.doc.contents;
  let depth = 0;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = pairOf(node, segment);
      if (!pair || !pair.value) break;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment];
      if (!item) break;
      node = item;
    } else break;
    depth++;
  }
  return {node: (node as Node | null) ?? null, depth};
}

// Place of the value at `path`, or of its key when `atKey` (unknown keys, duplicate names).
export function locate(source: ManifestSource, path: readonly PathSegment[], atKey = false): Place {
  if (atKey && path.length > 0) {
    const parent = nodeAt(source, path.slice(0, -1));
    if (parent.depth === path.length - 1 && isMap(parent.node)) {
      const key = path[path.length - 1];
      const pair = key === undefined ? undefined : pairOf(parent.node, key);
      const range = pair && isScalar(pair.key) ? pair.key.range : undefined;
      if (range) return placeAtOffset(source, range[0], path);
    }
  }
  const {node} = nodeAt(source, path);
  const offset = node?.range?.[0] ?? 0;
  return placeAtOffset(source, offset, path);
}

// Place of `needle` inside the scalar at `path` as written (a reference inside a
// longer string), or of the scalar itself when the text is not found there.
export function locateWithin(source: ManifestSource, path: readonly PathSegment[], needle: string): Place {
  const {node, depth} = nodeAt(source, path);
  const range = depth === path.length && isScalar(node) ? node.range : undefined;
  const index = range ? source.text.slice(range[0], range[1]).indexOf(needle) : -1;
  if (!range || index === -1) return locate(source, path);
  return placeAtOffset(source, range[0] + index, path);
}

export function problemAt(source: ManifestSource, path: readonly PathSegment[], message: string, suggestion?: string, atKey = false): Problem {
  return {message, place: locate(source, path, atKey), ...(suggestion ? {suggestion} : {})};
}


// The manifest path of the last node of a visitor's ancestor chain. A list's
// index of each item is computed once per list (`indexes` is shared across one
// walk), so long lists stay linear where indexOf per item was quadratic.
export function chainPath(chain: readonly unknown[], indexes: WeakMap<object, Map<unknown, number>>): PathSegment[] {
  const out: PathSegment[] = [];
  chain.forEach((node, i) => {
    if (isPair(node)) out.push(isScalar(node.key) ? String(node.key.value) : '?');
    else if (isSeq(node)) {
      let index = indexes.get(node);
      if (!index) {
        index = new Map(node.items.map((item, n) => [item, n]));
        indexes.set(node, index);
      }
      const found = index.get(chain[i + 1]);
      if (found !== undefined) out.push(found);
    }
  });
  return out;
}

// A port the program of a service listens on beyond its `ports` (a Kubernetes containerPort).
export interface Listen {
  port: number;
  protocol: 'tcp' | 'udp';
  place: Place;
}

// Where a path of the loaded manifest (`pods.web.app.ports[0]`) is in the file
// the user gave: in a sidecar.yaml the path itself; in a Kubernetes file the
// field it was read from, with its Kubernetes path (k8s/k8s-places.ts).
export interface ManifestPlaces {
  locate(path: readonly PathSegment[], atKey?: boolean): Place;
  locateWithin(path: readonly PathSegment[], needle: string): Place;
  listens(service: Service): Listen[];
}

export function sourcePlaces(source: ManifestSource): ManifestPlaces {
  return {locate: (at, atKey) => locate(source, at, atKey), locateWithin: (at, needle) => locateWithin(source, at, needle), listens: () => []};
}
