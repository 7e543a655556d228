import {Args} from '@oclif/core';
import {BaseCommand, jsonFlag, manifestFlags} from './base-command.js';

export default class Restart extends BaseCommand {
  static override summary = 'Restart services without touching the others';
  static override examples = ['<%= config.bin %> restart proxy', '<%= config.bin %> restart app log-shipper', '<%= config.bin %> restart orders', '<%= config.bin %> restart orders/egress'];
  static override strict = false;
  static override args = {service: Args.string({description: 'services to restart: SERVICE, POD/SERVICE, or POD for all its services', required: true})};
  static override flags = {...manifestFlags, ...jsonFlag};

  async run(): Promise<void> {
    const {flags, argv} = await this.parse(Restart);
    this.jsonMode = flags.json;
    const services = argv as string[];
    const {filesFor} = await import('../host/find-supervisor.js');
    const {requireRunningStack} = await import('../stack/stack-lookup.js');
    const {callControl} = await import('../host/control/control-client.js');
    // `orders` restarts every service of the pod; the answer names each service restarted.
    const {live, ids} = await requireRunningStack(filesFor(flags.file), flags.file, services);
    await callControl(live.socket, {method: 'restart', services: ids});
    if (flags.json) return this.printJson({restarted: ids});
    process.stdout.write(`restarted ${ids.join(', ')}\n`);
  }
}
