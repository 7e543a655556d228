import {BaseCommand, jsonFlag, manifestFlags} from './base-command.js';

export default class Ps extends BaseCommand {
  static override summary = 'Services with role, state, health, restarts, pid or container id, ports';
  static override examples = ['<%= config.bin %> ps', '<%= config.bin %> ps --json'];
  static override flags = {...manifestFlags, ...jsonFlag};

  async run(): Promise<void> {
    const {flags} = await this.parse(Ps);
    this.jsonMode = flags.json;
    const {filesFor} = await import('../host/find-supervisor.js');
    const {psStack} = await import('../stack/ps-stack.js');
    const ps = await psStack(filesFor(flags.file), flags.file);
    const {psJson, psTable} = await import('../output/ps-view.js');
    if (flags.json) return this.printJson(psJson(ps));
    const {stdoutChalk} = await import('../output/stdout-colors.js');
    process.stdout.write(psTable(ps, stdoutChalk(), Date.now()) + '\n');
  }
}
