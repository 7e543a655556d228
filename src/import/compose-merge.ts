import path from 'node:path';

export type Raw = Record<string, unknown>;

const isMap = (value: unknown): value is Raw => value !== null && typeof value === 'object' && !Array.isArray(value);
// Replaced, not appended (compose-spec "Merge", Shell commands).
const REPLACED = new Set(['command', 'entrypoint', 'healthcheck.test']);
// Lists that are mappings in Compose's model (`- KEY=value` is `KEY: value`).
const KEYED_LISTS = new Set(['environment', 'labels', 'depends_on', 'build.args', 'annotations', 'sysctls']);

// One service over another as Compose merges them (compose-spec "Merge and
// override", used by `extends` and by override files): mappings merge key by
// key, the local value winning; sequences append; command, entrypoint and
// healthcheck.test are replaced; ports are unique by {ip, published, target,
// protocol} and volumes by target, a local entry replacing the base's in place.
export function mergeService(base: Raw, local: Raw): Raw {
  return mergeMap(withBuildMap(base), withBuildMap(local), '');
}

function mergeMap(base: Raw, local: Raw, at: string): Raw {
  const out: Raw = {...base};
  for (const [key, value] of Object.entries(local)) {
    const where = at === '' ? key : `${at}.${key}`;
    const old = out[key];
    if (old === undefined || old === null || value === null || REPLACED.has(where)) out[key] = value;
    else if (KEYED_LISTS.has(where)) out[key] = {...keyed(old), ...keyed(value)};
    else if (where === 'ports' || where === 'volumes') out[key] = mergeUnique(list(old), list(value), where === 'ports' ? portKey : volumeTarget);
    else if (Array.isArray(old) || Array.isArray(value)) out[key] = [...list(old), ...list(value)];
    else if (isMap(old) && isMap(value)) out[key] = mergeMap(old, value, where);
    else out[key] = value;
  }
  return out;
}

function withBuildMap(service: Raw): Raw {
  return typeof service.build === 'string' ? {...service, build: {context: service.build}} : service;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
}

// `[KEY=value, KEY2]` or `{KEY: value}` as a mapping (a bare KEY is null: from the environment).
export function keyed(value: unknown): Raw {
  if (isMap(value)) return value;
  const out: Raw = {};
  for (const entry of list(value).map(String)) {
    const eq = entry.indexOf('=');
    if (eq === -1) out[entry] = null;
    else out[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return out;
}

function mergeUnique(base: unknown[], local: unknown[], key: (entry: unknown) => string): unknown[] {
  const out = [...base];
  for (const entry of local) {
    const index = out.findIndex((other) => key(other) === key(entry));
    if (index === -1) out.push(entry);
    else out[index] = entry;
  }
  return out;
}

function portKey(entry: unknown): string {
  if (isMap(entry)) return `${String(entry.host_ip ?? '')}|${String(entry.published ?? '')}|${String(entry.target ?? '')}|${String(entry.protocol ?? 'tcp')}`;
  const [spec = '', protocol = 'tcp'] = String(entry).split('/');
  const parts = spec.split(':');
  const target = parts.at(-1) ?? '';
  const published = parts.length >= 2 ? parts.at(-2)! : '';
  return `${parts.slice(0, -2).join(':').replace(/^\[|\]$/g, '')}|${published}|${target}|${protocol}`;
}

function volumeTarget(entry: unknown): string {
  if (isMap(entry)) return String(entry.target ?? '');
  const parts = String(entry).split(':');
  return parts.length === 1 ? parts[0]! : parts[1]!;
}

// A service read from a file in `from` as if written in `to`: its relative build
// context, bind mount sources and env files still name the same places (Compose
// resolves them against the file that declares them).
export function rebaseService(service: Raw, from: string, to: string): Raw {
  if (path.resolve(from) === path.resolve(to)) return service;
  const move = (p: string): string => {
    if (path.isAbsolute(p) || p.startsWith('~') || /^[a-z][a-z0-9+.-]*:\/\/|^git@/i.test(p)) return p;
    const rel = path.relative(to, path.resolve(from, p)) || '.';
    return rel.startsWith('.') ? rel : `./${rel}`;
  };
  const out: Raw = {...service};
  if (typeof out.build === 'string') out.build = move(out.build);
  else if (isMap(out.build)) out.build = {...out.build, context: move(String(out.build.context ?? '.'))};
  if (out.volumes !== undefined) {
    out.volumes = list(out.volumes).map((entry) => {
      if (isMap(entry)) return typeof entry.source === 'string' && (entry.type === 'bind' || entry.source.startsWith('.')) ? {...entry, source: move(entry.source)} : entry;
      const parts = String(entry).split(':');
      return parts.length > 1 && parts[0]!.startsWith('.') ? [move(parts[0]!), ...parts.slice(1)].join(':') : entry;
    });
  }
  if (out.env_file !== undefined) out.env_file = list(out.env_file).map((entry) => (isMap(entry) ? {...entry, path: move(String(entry.path))} : move(String(entry))));
  return out;
}
