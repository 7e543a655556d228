import {MAX_ENV_FILE_BYTES, readTextFile, type TextFile} from './read-text-file.js';

// `.env` as Compose reads it: KEY=VALUE lines, `#` comments, optional `export`,
// single quotes literal, double quotes with \n \t \" \\ escapes.
export function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(line);
    if (!match) continue;
    const key = match[1]!;
    let value = match[2]!;
    if (value.startsWith("'")) {
      const end = value.indexOf("'", 1);
      value = end === -1 ? value.slice(1) : value.slice(1, end);
    } else if (value.startsWith('"')) {
      const end = findClosingQuote(value);
      value = value
        .slice(1, end === -1 ? undefined : end)
        .replace(/\\([nt"\\])/g, (_m, c: string) => ({n: '\n', t: '\t', '"': '"', '\\': '\\'})[c] ?? c);
    } else {
      value = value.replace(/\s+#.*$/, '').trim();
    }
    out[key] = value;
  }
  return out;
}

function findClosingQuote(value: string): number {
  for (let i = 1; i < value.length; i++) {
    if (value[i] === '\\') i++;
    else if (value[i] === '"') return i;
  }
  return -1;
}

export type EnvFileRead = {ok: true; values: Record<string, string>; text: string} | Extract<TextFile, {ok: false}>;

// An env file, read only when it is a regular file of at most 1 MB (issue 9.9):
// `display` names it in messages.
export function readEnvFile(file: string, display: string): EnvFileRead {
  const read = readTextFile(file, display, MAX_ENV_FILE_BYTES);
  return read.ok ? {ok: true, values: parseDotenv(read.text), text: read.text} : read;
}
