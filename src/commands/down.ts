import {Flags} from '@oclif/core';
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
    const {downCommand} = await import('../stack/down-command.js');
    await downCommand(flags);
  }
}
