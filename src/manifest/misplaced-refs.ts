import {visit} from 'yaml';
import type {Problem} from '../errors/index.js';
import {POD_HOST_REF} from './pod-refs.js';
import {chainPath, locateWithin, type ManifestSource, type PathSegment} from './source.js';
import {VOLUME_REF} from './volume-refs.js';

// `${volumes.NAME}` and `${pods.NAME.host}` survive interpolation and are
// resolved by each runtime only where graph.ts's referenceSites looks: env
// values, command arguments (process: too) and a health exec command.
// Anywhere else (image, workdir, ports, mounts, probe headers...) they would
// reach the program as the literal text, so they are an error at the reference.
const SITE = /^(env(\.|\[)|command\[|process\.(env(\.|\[)|command\[)|health\.exec\[)/;
const SERVICE = /^(pods\.[^.]+\.)?(app\.|(sidecars|init)\.[^.]+\.)/;

export function misplacedRefs(source: ManifestSource): Problem[] {
  const problems: Problem[] = [];
  const indexes = new WeakMap<object, Map<unknown, number>>();
  visit(source.doc, {
    Scalar(key, node, ancestors) {
      if (key === 'key' || typeof node.value !== 'string' || !node.value.includes('${')) return;
      const path = chainPath([...ancestors, node], indexes);
      // `x-` keys hold YAML fragments, checked where they are used.
      if (typeof path[0] === 'string' && path[0].startsWith('x-')) return;
      const text = dotted(path);
      const service = SERVICE.exec(text);
      const field = service ? text.slice(service[0].length) : text;
      if (service && SITE.test(field)) return;
      for (const match of [...node.value.matchAll(POD_HOST_REF), ...node.value.matchAll(VOLUME_REF)]) {
        problems.push({
          message: `${match[0]} is not resolved in ${field || 'this value'}`,
          suggestion: `${match[0].startsWith('${pods.') ? '${pods.NAME.host}' : '${volumes.NAME}'} works in env values, command arguments (process: too) and health.exec; pass it to the program through env`,
          place: locateWithin(source, path, match[0]),
        });
      }
    },
  });
  return problems;
}

function dotted(path: PathSegment[]): string {
  return path.map((segment, i) => (typeof segment === 'number' ? `[${segment}]` : `${i === 0 ? '' : '.'}${segment}`)).join('');
}

