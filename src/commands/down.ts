import {Flags} from '@oclif/core';
import {BaseCommand, jsonFlag, manifestFlags} from './base-command.js';

export default class Down extends BaseCommand {
  static override summary = 'Stop everything in lifecycle order and remove what `up` created';
  static override description = 'Named volumes survive unless --volumes. Works after the supervisor died too: survivors recorded in .sidecar/state.json are stopped after an identity check. Logs in .sidecar/logs are kept.';
  static override examples = ['<%= config.bin %> down', '<%= config.bin %> down --volumes --timeout 5s'];
  static override flags = {
    ...manifestFlags,
    ...jsonFlag,
    volumes: Flags.boolean({description: 'also remove named volumes', default: false}),
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
    const result = await downStack(files, {volumes: flags.volumes, ...(timeoutMs !== undefined ? {timeoutMs} : {})});
    if (flags.json) return this.printJson(result);
    const what = result.project ?? 'the stack';
    if (result.outcome === 'nothing') process.stdout.write('nothing is running\n');
    else if (result.outcome === 'stopped') process.stdout.write(`stopped ${what}\n`);
    else process.stdout.write(`the supervisor of ${what} was gone; stopped ${result.reaped} leftover process(es)\n`);
  }
}
