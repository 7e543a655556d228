import {interpolateString} from './interpolate-string.js';
import {MAX_ENV_FILE_BYTES, readTextFile, type TextFile} from './read-text-file.js';

// An env file as Compose reads it (compose-go's dotenv): KEY=VALUE statements,
// `#` comments, optional `export`; single quotes literal; double quotes with
// \n \r \t \" \\ escapes; quoted values may span lines. Unquoted and double-quoted
// values are interpolated as the manifest is (`${VAR}`, `${VAR:-default}`, `$$`),
// from `lookup` first, then from the keys above in the file; a line that is only
// a key takes that key's value from `lookup`. A line that is none of these is a
// problem at its line and column, not a line skipped in silence.

export interface DotenvProblem {
  line: number;
  column: number;
  message: string;
  suggestion: string;
}

export interface Dotenv {
  values: Record<string, string>;
  problems: DotenvProblem[];
  // Variables used in a value while unset (substituted with "", as in the manifest).
  unset: string[];
  // Every variable looked up in `lookup`, with what it gave (load-cache.ts records them).
  looked: Record<string, string | null>;
}

export type Lookup = (name: string) => string | undefined;

const KEY = /^(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*(=?)/;
const ESCAPES: Record<string, string> = {n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\'};

export function parseDotenv(text: string, lookup: Lookup = () => undefined): Dotenv {
  const values: Record<string, string> = {};
  const problems: DotenvProblem[] = [];
  const unset: string[] = [];
  const looked: Record<string, string | null> = {};
  const fromLookup = (name: string): string | undefined => {
    const found = lookup(name);
    looked[name] = found ?? null;
    return found;
  };
  const lines = text.replace(/^\uFEFF/, '').split('\n').map((line) => line.replace(/\r$/, ''));
  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index]!;
    const indent = raw.length - raw.trimStart().length;
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const at = (column: number, message: string, suggestion: string) => problems.push({line: index + 1, column: column + 1, message, suggestion});
    const key = KEY.exec(line);
    if (!key || (!key[2] && line.length !== key[0].trimEnd().length)) {
      at(indent, `${JSON.stringify(clip(line))} is not KEY=VALUE`, 'write KEY=VALUE (a key of letters, digits, _ and .), or start the line with # to make it a comment');
      continue;
    }
    const name = key[1]!;
    if (!key[2]) {
      // `KEY` alone: the value the environment has, if any (Compose's "inherited").
      const inherited = fromLookup(name);
      if (inherited !== undefined) values[name] = inherited;
      continue;
    }
    const valueColumn = indent + key[0].length + (line.slice(key[0].length).length - line.slice(key[0].length).trimStart().length);
    const rest = line.slice(key[0].length).trimStart();
    const quote = rest[0];
    let value: string;
    let expand: boolean;
    if (quote === "'" || quote === '"') {
      // The closing quote may be on a later line: the value spans the lines between.
      let body = rest.slice(1);
      let end = closingQuote(body, quote);
      let last = index;
      while (end === -1 && last + 1 < lines.length) {
        last++;
        body += `\n${lines[last]!}`;
        end = closingQuote(body, quote);
      }
      if (end === -1) {
        at(valueColumn, `the ${quote === '"' ? 'double' : 'single'} quote that starts the value of ${name} is never closed`, `close it with ${quote} (a value may span lines up to its closing quote)`);
        break;
      }
      const after = body.slice(end + 1).trim();
      if (after !== '' && !after.startsWith('#')) {
        const afterLine = last === index ? undefined : last;
        if (afterLine === undefined) at(valueColumn + end + 2 + (body.slice(end + 1).length - body.slice(end + 1).trimStart().length), `unexpected ${JSON.stringify(clip(after))} after the quoted value of ${name}`, 'put it inside the quotes, or start a comment with " #"');
        else problems.push({line: afterLine + 1, column: 1, message: `unexpected ${JSON.stringify(clip(after))} after the quoted value of ${name}`, suggestion: 'put it inside the quotes, or start a comment with " #"'});
      }
      index = last;
      value = body.slice(0, end);
      if (quote === '"') value = value.replace(/\\([nrt"\\])/g, (_m, c: string) => ESCAPES[c]!);
      expand = quote === '"';
    } else {
      value = rest.replace(/(^|[ \t])#.*$/, '').trim();
      expand = true;
    }
    if (expand && value.includes('$')) {
      const result = interpolateString(value, (variable) => fromLookup(variable) ?? (Object.hasOwn(values, variable) ? values[variable] : undefined));
      // On the value's own line, at the bad expression; a value over lines, at its start.
      const column = (issueIndex: number) => (value.includes('\n') ? valueColumn : valueColumn + (quote === '"' ? 1 : 0) + issueIndex);
      for (const issue of result.issues) at(column(issue.index), issue.message, issue.suggestion);
      for (const variable of result.unset) if (!unset.includes(variable)) unset.push(variable);
      value = result.value;
    }
    values[name] = value;
  }
  return {values, problems, unset, looked};
}

function closingQuote(body: string, quote: string): number {
  for (let i = 0; i < body.length; i++) {
    if (quote === '"' && body[i] === '\\') i++;
    else if (body[i] === quote) return i;
  }
  return -1;
}

// Shown in messages through JSON.stringify: a control character in the file is
// named (\u001b), not sent to the terminal nor dropped from the text (found by a
// new user's trial: `\x00\x01B=2` was reported as "B=2").
function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

export type EnvFileRead = ({ok: true; text: string} & Dotenv) | Extract<TextFile, {ok: false}>;

// An env file, read only when it is a regular file of at most 1 MB (issue 9.9):
// `display` names it in messages.
export function readEnvFile(file: string, display: string, lookup?: Lookup): EnvFileRead {
  const read = readTextFile(file, display, MAX_ENV_FILE_BYTES);
  return read.ok ? {ok: true, text: read.text, ...parseDotenv(read.text, lookup)} : read;
}
