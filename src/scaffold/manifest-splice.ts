import {isDeepStrictEqual} from 'node:util';
import {Document, isMap, isScalar, Pair, parseDocument, Scalar, YAMLMap, type Node} from 'yaml';
import {STRINGIFY} from './manifest-edit.js';

interface Insert {
  at: number;
  text: string;
  // Among inserts at the same offset, the lower rank ends up first.
  rank: number;
}

// `add` as a pure insertion into the user's text: every existing byte stays
// (comment spacing, folded scalars, quoting), only the new entry and volume
// lines are added. `edited` is the same change made through the Document API;
// when the file's shape is one this does not handle (flow-style sections,
// `sidecars:` with no value), or the spliced text would not mean exactly the
// same as `edited`, it returns undefined and the caller prints `edited`.
export function spliceSidecar(original: string, name: string, edited: Document): string | undefined {
  const doc = parseDocument(original);
  if (doc.errors.length > 0 || !isMap(doc.contents)) return undefined;
  const root = doc.contents;
  const entry = edited.getIn(['sidecars', name], true) as Node | undefined;
  if (!entry) return undefined;
  const inserts: Insert[] = [];
  // The file's own indentation step, read from the app's first key when it is a block map.
  const appMap = root.get('app', true);
  const unit = isMap(appMap) && !appMap.flow && appMap.items.length > 0 ? columnOf(original, (appMap.items[0]!.key as Node).range![0]) : 2;

  const sidecars = pairOf(root, 'sidecars');
  if (sidecars) {
    const map = sidecars.value;
    if (!isMap(map) || map.flow || map.items.length === 0) return undefined;
    const indent = columnOf(original, (map.items[0]!.key as Node).range![0]);
    inserts.push({at: afterLine(original, endOf(map.items.at(-1)!)), text: `\n${block(name, entry, indent, indent)}`, rank: 0});
  } else {
    const app = pairOf(root, 'app');
    if (!app) return undefined;
    inserts.push({at: afterLine(original, endOf(app)), text: `\nsidecars:\n${block(name, entry, unit, unit)}`, rank: 0});
  }

  const wanted = edited.get('volumes', true);
  const have = root.get('volumes', true);
  const missing = isMap(wanted) ? wanted.items.map((item) => String(isScalar(item.key) ? item.key.value : item.key)).filter((volume) => !(isMap(have) && have.has(volume))) : [];
  if (missing.length > 0) {
    const volumes = pairOf(root, 'volumes');
    if (volumes) {
      const map = volumes.value;
      if (!isMap(map) || map.flow || map.items.length === 0) return undefined;
      const indent = ' '.repeat(columnOf(original, (map.items[0]!.key as Node).range![0]));
      inserts.push({at: afterLine(original, endOf(map.items.at(-1)!)), text: missing.map((volume) => `${indent}${volume}: {}\n`).join(''), rank: 1});
    } else {
      inserts.push({at: original.length, text: `\nvolumes:\n${missing.map((volume) => `${' '.repeat(unit)}${volume}: {}\n`).join('')}`, rank: 1});
    }
  }

  let text = original.endsWith('\n') ? original : `${original}\n`;
  for (const insert of inserts.sort((a, b) => b.at - a.at || b.rank - a.rank)) {
    const at = Math.min(insert.at, text.length);
    text = text.slice(0, at) + insert.text + text.slice(at);
  }
  const check = parseDocument(text);
  return check.errors.length === 0 && isDeepStrictEqual(check.toJS(), edited.toJS()) ? text : undefined;
}

function pairOf(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((item) => isScalar(item.key) && item.key.value === key) as Pair | undefined;
}

// The end offset of a pair's value (or key, for `key:` with no value).
function endOf(pair: Pair): number {
  const value = pair.value as Node | null;
  return (value?.range ?? (pair.key as Node).range!)[1];
}

// The offset just past the end of the line holding `offset - 1`.
function afterLine(text: string, offset: number): number {
  if (offset > 0 && text[offset - 1] === '\n') return offset;
  const newline = text.indexOf('\n', offset);
  return newline === -1 ? text.length + 1 : newline + 1;
}

function columnOf(text: string, offset: number): number {
  return offset - (text.lastIndexOf('\n', offset - 1) + 1);
}

// `name:` and its mapping, as the Document API prints it with the file's
// indentation step, shifted right by indent.
function block(name: string, node: Node, indent: number, unit: number): string {
  const doc = new Document(new YAMLMap());
  (doc.contents as YAMLMap).items.push(new Pair(new Scalar(name), node.clone()));
  const pad = ' '.repeat(indent);
  return doc
    .toString({...STRINGIFY, indent: Math.max(1, unit)})
    .split('\n')
    .map((line) => (line === '' ? line : pad + line))
    .join('\n');
}
