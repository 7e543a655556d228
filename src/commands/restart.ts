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
    const answer = await callControl<{notStarted?: unknown}>(live.socket, {method: 'restart', services: ids});
    // What start-up has not started yet is left to it: it starts in order once what it waits for is ready.
    const notStarted = Array.isArray(answer?.notStarted) ? ids.filter((id) => (answer.notStarted as unknown[]).includes(id)) : [];
    const restarted = ids.filter((id) => !notStarted.includes(id));
    if (flags.json) return this.printJson({restarted, ...(notStarted.length > 0 ? {notStarted} : {})});
    if (restarted.length > 0) process.stdout.write(`restarted ${restarted.join(', ')}\n`);
    if (notStarted.length > 0) process.stdout.write(`not started yet: ${notStarted.join(', ')} (the stack is starting; each starts once what it waits for is ready)\n`);
  }
}
