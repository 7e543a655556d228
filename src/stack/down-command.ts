import {existsSync} from 'node:fs';
import {durationOption} from '../commands/duration-option.js';
import {filesFor} from '../host/find-supervisor.js';
import {safeJson} from '../output/safe-json.js';
import {downStack, type DownResult} from './down-stack.js';
import {requireStackOrManifest} from './stack-lookup.js';

export interface DownFlags {
  file: string;
  volumes: boolean;
  timeout?: string | undefined;
  json: boolean;
}

// What `sidecar down` does once its words are parsed, shared by the oclif command
// and the lean path of bin/run.js (issue 13.1: no oclif to load for a `down`).
export async function downCommand(flags: DownFlags): Promise<void> {
  const timeoutMs = durationOption('timeout', flags.timeout);
  const files = filesFor(flags.file);
  requireStackOrManifest(files, flags.file);
  const result: DownResult = await downStack(files, {volumes: flags.volumes, ...(timeoutMs !== undefined ? {timeoutMs} : {})});
  // Nothing ran, so nothing removed the volumes: do it here (Compose's `down -v` on a stopped project).
  if (result.outcome === 'nothing' && flags.volumes && existsSync(flags.file)) {
    const {loadManifest} = await import('../manifest/load.js');
    const {removeStoppedVolumes} = await import('./down-volumes.js');
    result.volumesRemoved = await removeStoppedVolumes(await loadManifest(flags.file));
  }
  if (flags.json) {
    process.stdout.write(safeJson(result, 2) + '\n');
    return;
  }
  const what = result.project ?? 'the stack';
  if (result.outcome === 'nothing') process.stdout.write(`nothing is running${removedVolumes(result.volumesRemoved)}\n`);
  else if (result.outcome === 'stopped') process.stdout.write(`stopped ${what}\n`);
  else process.stdout.write(`the supervisor of ${what} was gone; ${leftovers(result)}\n`);
}

// What a reap stopped, as it was: containers or processes, and of how many services
// (the pod, or a process's escaped children, are units of no service of their own).
function leftovers(result: DownResult): string {
  const n = result.reaped;
  if (n === 0) return 'nothing of it was still running';
  const services = result.reapedServices?.length ?? 0;
  const plural = (count: number, one: string, many: string): string => `${count} ${count === 1 ? one : many}`;
  if (result.runtime === 'docker') {
    // The rest are infra containers: one per pod.
    const pods = n - services;
    const pod = pods === 1 ? ' and the pod' : pods > 1 ? ` and ${pods} pods` : '';
    return `stopped ${plural(n, 'leftover container', 'leftover containers')} (${plural(services, 'service', 'services')}${pod})`;
  }
  return `stopped ${plural(n, 'leftover process', 'leftover processes')} in ${plural(services, 'service', 'services')}`;
}

function removedVolumes(names: string[] | undefined): string {
  if (names === undefined) return '';
  if (names.length === 0) return '; no volume to remove';
  return `; removed ${names.length} ${names.length === 1 ? 'volume' : 'volumes'}: ${names.join(', ')}`;
}
