import {existsSync} from 'node:fs';
import path from 'node:path';
import {parse} from 'yaml';
import {SidecarError} from '../errors/index.js';
import type {LossList} from '../manifest/loss.js';
import {readManifestText} from '../manifest/parse.js';
import {mergeService, rebaseService, type Raw} from './compose-merge.js';

const isMap = (value: unknown): value is Raw => value !== null && typeof value === 'object' && !Array.isArray(value);
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : value === undefined || value === null ? [] : [String(value)]);

function invalid(message: string, suggestion: string): SidecarError {
  return new SidecarError('SIDECAR_MANIFEST_INVALID', message, {suggestion});
}

function readCompose(file: string): Raw {
  const data = parse(readManifestText(file), {merge: true}) as unknown;
  if (!isMap(data)) throw invalid(`${file} is not a compose file (not a mapping)`, 'check the path');
  return data;
}

// The application model `docker compose up` would run from a file, as far as the
// import needs it: `include:` files loaded as their own projects and copied in,
// `extends:` merged, and services whose profiles are not active left out
// (compose-spec "Include", "extends", "Merge and override", "Profiles").
// Paths of included and extended files are rebased to `file`'s directory.
export function composeModel(file: string, data: Raw, losses: LossList, profiles: string[]): Raw {
  const dir = path.dirname(path.resolve(file));
  const model: Raw = {...data, services: {...((data.services ?? {}) as Raw)}, volumes: {...((data.volumes ?? {}) as Raw)}};
  delete model.include;
  includeInto(model, data, file, dir, losses, [path.resolve(file)]);
  model.services = withExtends(model.services as Record<string, Raw>, file);
  leaveOutProfiles(model.services as Record<string, Raw>, losses, profiles);
  return model;
}

function includeInto(model: Raw, data: Raw, file: string, dir: string, losses: LossList, chain: string[]): void {
  const services = model.services as Record<string, Raw>;
  for (const [i, entry] of (Array.isArray(data.include) ? data.include : strings(data.include)).entries()) {
    const spec: Raw = isMap(entry) ? entry : {path: entry};
    const files = strings(spec.path).map((p) => path.resolve(path.dirname(path.resolve(file)), p));
    if (files.length === 0) throw invalid(`include[${i}] of ${file} names no file`, 'write include: [path/to/compose.yaml]');
    if (files.some((f) => chain.includes(f))) throw invalid(`include of ${file} loops back to ${files.find((f) => chain.includes(f))}`, 'remove one of the includes');
    const projectDir = spec.project_directory === undefined ? path.dirname(files[0]!) : path.resolve(path.dirname(path.resolve(file)), String(spec.project_directory));
    // Several paths are merged into one model first, as override files are.
    const included = files.map(readCompose).reduce((a, b) => ({...a, services: mergeServices((a.services ?? {}) as Record<string, Raw>, (b.services ?? {}) as Record<string, Raw>), volumes: {...((a.volumes ?? {}) as Raw), ...((b.volumes ?? {}) as Raw)}}));
    const sub: Raw = {services: {...((included.services ?? {}) as Raw)}, volumes: {...((included.volumes ?? {}) as Raw)}};
    includeInto(sub, included, files[0]!, projectDir, losses, [...chain, ...files]);
    const resolved = withExtends(sub.services as Record<string, Raw>, files[0]!);
    const shown = path.relative(dir, files[0]!) || files[0]!;
    for (const [name, service] of Object.entries(resolved)) {
      if (Object.hasOwn(services, name)) throw invalid(`service "${name}" of ${shown} (included) is also defined in ${path.basename(file)}`, 'Compose does not merge an included service with a local one: rename one of them');
      services[name] = rebaseService(service, projectDir, dir);
    }
    Object.assign(model.volumes as Raw, sub.volumes as Raw);
    // An included project interpolates its variables from its own .env; sidecar.yaml from the one beside it.
    const envFiles = spec.env_file === undefined ? [path.join(projectDir, '.env')].filter((f) => existsSync(f) && path.dirname(f) !== dir) : strings(spec.env_file);
    if (envFiles.length > 0) losses.add(undefined, `include[${i}].env_file`, `${envFiles.map((f) => path.relative(dir, path.resolve(dir, f)) || f).join(', ')}: variables of ${shown} are interpolated from the environment and the .env beside sidecar.yaml, not from there`);
  }
}

function mergeServices(a: Record<string, Raw>, b: Record<string, Raw>): Record<string, Raw> {
  const out = {...a};
  for (const [name, service] of Object.entries(b)) out[name] = out[name] ? mergeService(out[name]!, service ?? {}) : (service ?? {});
  return out;
}

// Every service with its `extends` chain merged in, base first; the base may
// be in the same file or in another one (its relative paths rebased).
function withExtends(services: Record<string, Raw>, file: string): Record<string, Raw> {
  const out: Record<string, Raw> = {};
  const cache = new Map<string, Record<string, Raw>>();
  const servicesOf = (f: string): Record<string, Raw> => {
    if (!cache.has(f)) cache.set(f, ((readCompose(f).services ?? {}) as Record<string, Raw>));
    return cache.get(f)!;
  };
  const resolve = (name: string, pool: Record<string, Raw>, from: string, chain: string[]): Raw => {
    const raw = pool[name] ?? {};
    if (raw.extends === undefined) return raw;
    const spec = isMap(raw.extends) ? raw.extends : {service: raw.extends};
    const other = spec.file === undefined ? from : path.resolve(path.dirname(from), String(spec.file));
    const key = `${other}#${String(spec.service)}`;
    if (chain.includes(key)) throw invalid(`services.${name}.extends loops: ${[...chain, key].map((k) => k.split('#')[1]).join(' -> ')}`, 'remove one extends of the loop');
    const otherPool = other === from ? pool : servicesOf(other);
    if (!Object.hasOwn(otherPool, String(spec.service))) {
      throw invalid(`services.${name}.extends names service "${String(spec.service)}", which ${other === from ? 'the file' : path.basename(other)} does not define`, 'name a service of that file');
    }
    const base = rebaseService(resolve(String(spec.service), otherPool, other, [...chain, key]), path.dirname(other), path.dirname(from));
    const local = {...raw};
    delete local.extends;
    return mergeService(base, local);
  };
  const self = path.resolve(file);
  for (const name of Object.keys(services)) out[name] = resolve(name, services, self, [`${self}#${name}`]);
  return out;
}

// `docker compose up` without --profile (or COMPOSE_PROFILES) starts only the
// services without profiles: the others are left out, each named with the way
// to get it. `*` activates every profile.
function leaveOutProfiles(services: Record<string, Raw>, losses: LossList, active: string[]): void {
  for (const [name, service] of Object.entries(services)) {
    const own = strings(service.profiles);
    if (own.length === 0) {
      delete service.profiles;
      continue;
    }
    if (active.includes('*') || own.some((p) => active.includes(p))) {
      delete service.profiles;
      continue;
    }
    delete services[name];
    const which = own.length === 1 ? `profile ${own[0]}` : `profiles ${own.join(', ')}`;
    losses.add(undefined, `services.${name}`, `left out, as \`docker compose up\` leaves it without --profile ${own[0]} (${which}); import with COMPOSE_PROFILES=${own[0]} to include it`);
  }
}
