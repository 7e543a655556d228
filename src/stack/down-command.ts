import {existsSync} from 'node:fs';
import {durationOption} from '../commands/duration-option.js';
import {filesFor} from '../host/find-supervisor.js';
import {downStack, type DownResult} from './down-stack.js';
import {printDown} from './down-report.js';
import {requireStackOrManifest} from './stack-lookup.js';

export interface DownFlags {
  file: string;
  volumes: boolean;
  timeout?: string | undefined;
  json: boolean;
}

// What `sidecar down` does once its words are parsed, shared by the oclif command
// and the lean path of bin/run.js (issue 13.1: no oclif to load for a `down`).
export async function downCommand(flags: DownFlags, asked?: {hung: boolean}): Promise<void> {
  const timeoutMs = durationOption('timeout', flags.timeout);
  const files = filesFor(flags.file);
  requireStackOrManifest(files, flags.file);
  const result: DownResult = await downStack(files, {volumes: flags.volumes, ...(timeoutMs !== undefined ? {timeoutMs} : {})}, asked);
  // Nothing ran, so nothing removed the volumes: do it here (Compose's `down -v` on a stopped project).
  if (result.outcome === 'nothing' && flags.volumes && existsSync(flags.file)) {
    const {loadManifest} = await import('../manifest/load.js');
    const {removeStoppedVolumes} = await import('./down-volumes.js');
    result.volumesRemoved = await removeStoppedVolumes(await loadManifest(flags.file, {requiredMayBeUnset: true}));
  }
  printDown(result, flags);
}
