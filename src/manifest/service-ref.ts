import {SidecarError} from '../errors/index.js';
import {didYouMean} from './did-you-mean.js';
import {allServices, podsInStartOrder, type Manifest} from './types.js';

// What a command line can name in a stack: each service's id, pod and bare name
// (services in start order), and the pods. Built from a loaded manifest, or from
// the ids a running or recorded stack reports (ps, state.json), so the same words
// mean the same services whichever of them a command has at hand.
export interface StackCatalog {
  form: 'single' | 'pods';
  // The manifest file, for messages.
  file: string;
  services: Array<{id: string; pod: string; name: string}>;
  pods: string[];
}

export function catalogOf(manifest: Manifest): StackCatalog {
  return {
    form: manifest.form,
    file: manifest.file,
    services: allServices(manifest).map((s) => ({id: s.id, pod: s.pod, name: s.name})),
    pods: podsInStartOrder(manifest).map((p) => p.name),
  };
}

// The pod of a service id: `POD/SERVICE` in the pods form; a bare id is a
// single-form service, whose pod is named after the project.
export function podOfId(id: string, project: string): string {
  const slash = id.indexOf('/');
  return slash < 0 ? project : id.slice(0, slash);
}

export function catalogFromIds(ids: readonly string[], project: string, file: string): StackCatalog {
  const services = ids.map((id) => ({id, pod: podOfId(id, project), name: id.slice(id.indexOf('/') + 1)}));
  return {
    form: ids.some((id) => id.includes('/')) ? 'pods' : 'single',
    file,
    services,
    pods: [...new Set(services.map((s) => s.pod))],
  };
}

// The service ids the user's words stand for, in the order given (a pod's
// services in start order), each once. DESIGN "Several pods": `POD/SERVICE`; a
// bare SERVICE where exactly one pod has it; a bare POD for all its services
// (for `up`, the supervisor adds the pods it is after). The single form knows
// only service names, as before pods existed. A word that could mean several
// things is refused with the spellings that are not ambiguous, as kubectl
// refuses an ambiguous short resource name rather than pick one.
export function resolveServiceRefs(catalog: StackCatalog, words: readonly string[]): string[] {
  const ids = new Set<string>();
  for (const word of words) for (const id of resolveOne(catalog, word)) ids.add(id);
  return [...ids];
}

function resolveOne(catalog: StackCatalog, word: string): string[] {
  const byId = catalog.services.find((s) => s.id === word);
  if (byId) return [byId.id];
  if (catalog.form === 'single' || word.includes('/')) throw unknownRef(catalog, word);
  const named = catalog.services.filter((s) => s.name === word);
  const isPod = catalog.pods.includes(word);
  if (named.length === 1 && !isPod) return [named[0]!.id];
  if (named.length === 0 && isPod) return catalog.services.filter((s) => s.pod === word).map((s) => s.id);
  if (named.length === 0) throw unknownRef(catalog, word);
  // A pod whose one service has the pod's name (what `sidecar import` makes of each
  // Compose service): both meanings are that service, nothing to choose between
  // (found by a new user's trial: `logs db` was refused as ambiguous).
  const ofPod = catalog.services.filter((s) => s.pod === word);
  if (isPod && named.length === 1 && ofPod.length === 1 && ofPod[0]!.id === named[0]!.id) return [named[0]!.id];
  throw ambiguousRef(catalog, word, named.map((s) => s.id), isPod);
}

function ambiguousRef(catalog: StackCatalog, word: string, ids: string[], isPod: boolean): SidecarError {
  const pods = ids.map((id) => podOfId(id, ''));
  const where = pods.length === 1 ? `pod ${pods[0]}` : `pods ${listed(pods)}`;
  const message = isPod ? `"${word}" is a pod and a service in ${where}` : `"${word}" is a service in ${where}`;
  const podSpelling = isPod ? catalog.services.filter((s) => s.pod === word).map((s) => s.id) : [];
  const podHint = isPod ? `; for the whole pod ${word}, name its services: ${podSpelling.join(' ')}` : '';
  return new SidecarError('SIDECAR_AMBIGUOUS_SERVICE', `${message} of ${catalog.file}`, {
    suggestion: `write ${ids.join(' or ')}${podHint}`,
  });
}

// Also what the supervisor answers for a name it does not know (unknown-service.ts).
export function unknownRef(catalog: StackCatalog, word: string): SidecarError {
  const names = catalog.form === 'single' ? catalog.services.map((s) => s.id) : [...catalog.pods, ...catalog.services.map((s) => s.id)];
  // A near miss of a bare service name suggests the bare name only where it is unambiguous.
  const bare = catalog.services.map((s) => s.name).filter((name, _i, all) => all.indexOf(name) === all.lastIndexOf(name) && !catalog.pods.includes(name));
  const near = didYouMean(word, catalog.form === 'single' ? names : [...names, ...bare]);
  const guess = near ? `did you mean "${near}"? ` : '';
  if (catalog.form === 'single') {
    return new SidecarError('SIDECAR_UNKNOWN_SERVICE', `no service named "${word}" in ${catalog.file}`, {suggestion: `${guess}use one of: ${names.join(', ')}`});
  }
  return new SidecarError('SIDECAR_UNKNOWN_SERVICE', `no pod or service named "${word}" in ${catalog.file}`, {
    suggestion: `${guess}use a pod (${catalog.pods.join(', ')}) or POD/SERVICE (${catalog.services.map((s) => s.id).join(', ')})`,
  });
}

function listed(items: string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}
