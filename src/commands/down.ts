import {existsSync} from 'node:fs';
import {Flags} from '@oclif/core';
import type {DownResult} from '../stack/down-stack.js';
import {BaseCommand, jsonFlag, manifestFlags} from './base-command.js';

export default class Down extends BaseCommand {
  static override summary = 'Stop everything in lifecycle order and remove what `up` created';
  static override description = 'Named volumes survive unless --volumes. Works after the supervisor died too: survivors recorded in .sidecar/state.json are stopped after an identity check. Logs in .sidecar/logs are kept.';
  static override examples = ['<%= config.bin %> down', '<%= config.bin %> down --volumes --timeout 5s'];
  static override flags = {
    ...manifestFlags,
    ...jsonFlag,
    volumes: Flags.boolean({description: 'also remove named volumes (never external ones), even when the stack is already stopped', default: false}),
    timeout: Flags.string({description: 'stop timeout for every service, overriding stopTimeout (e.g. 5s)'}),
  };

  async run(): Promise<void> {
    const {flags} = await this.parse(Down);
    this.jsonMode = flags.json;
    const {durationOption} = await import('./duration-option.js');
    const timeoutMs = durationOption('timeout', flags.timeout);
    const {filesFor} = await import('../host/find-supervisor.js');
    const {requireStackOrManifest} = await import('../stack/stack-lookup.js');
    const files = filesFor(flags.file);
    requireStackOrManifest(files, flags.file);
    const {downStack} = await import('../stack/down-stack.js');
    const result: DownResult = await downStack(files, {volumes: flags.volumes, ...(timeoutMs !== undefined ? {timeoutMs} : {})});
    // Nothing ran, so nothing removed the volumes: do it here (Compose's `down -v` on a stopped project).
    if (result.outcome === 'nothing' && flags.volumes && existsSync(flags.file)) {
      const {loadManifest} = await import('../manifest/load.js');
      const {removeStoppedVolumes} = await import('../stack/down-volumes.js');
      result.volumesRemoved = await removeStoppedVolumes(await loadManifest(flags.file));
    }
    if (flags.json) return this.printJson(result);
    const what = result.project ?? 'the stack';
    if (result.outcome === 'nothing') process.stdout.write(`nothing is running${removedVolumes(result.volumesRemoved)}\n`);
    else if (result.outcome === 'stopped') process.stdout.write(`stopped ${what}\n`);
    else process.stdout.write(`the supervisor of ${what} was gone; ${leftovers(result)}\n`);
  }
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
