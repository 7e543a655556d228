import {Flags} from '@oclif/core';
import {BaseCommand, jsonFlag, manifestFlags} from './base-command.js';

export default class Ps extends BaseCommand {
  static override summary = 'Services with role, state, health, restarts, pid or container id, ports';
  static override examples = ['<%= config.bin %> ps', '<%= config.bin %> ps --json', '<%= config.bin %> ps --watch'];
  static override flags = {
    ...manifestFlags,
    ...jsonFlag,
    watch: Flags.boolean({char: 'w', description: 'keep showing the services with CPU and memory, refreshed in place (a line per sample when not a terminal; JSON lines with --json); ends with Ctrl-C or the stack', default: false}),
    interval: Flags.string({description: 'with --watch: time between samples (e.g. 2s)', default: '1s'}),
  };

  async run(): Promise<void> {
    const {flags} = await this.parse(Ps);
    this.jsonMode = flags.json;
    const {filesFor} = await import('../host/find-supervisor.js');
    if (flags.watch) {
      const [{durationOption}, {watchStack}, {stdoutChalk}] = await Promise.all([import('./duration-option.js'), import('../stack/watch-stack.js'), import('../output/stdout-colors.js')]);
      const intervalMs = Math.max(100, durationOption('interval', flags.interval) ?? 1000);
      let stop!: () => void;
      const stopped = new Promise<void>((resolve) => (stop = resolve));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      // Its reader has gone (`ps --watch | head`): ends as Ctrl-C does.
      const {stdoutClosed} = await import('../output/stdout-closed.js');
      stdoutClosed().addEventListener('abort', () => stop());
      await watchStack(filesFor(flags.file), flags.file, {intervalMs, tty: process.stdout.isTTY === true, json: flags.json, chalk: stdoutChalk(), write: (text) => process.stdout.write(text), stopped});
      return;
    }
    const {psStack} = await import('../stack/ps-stack.js');
    const ps = await psStack(filesFor(flags.file), flags.file);
    const {psJson, psTable} = await import('../output/ps-view.js');
    if (flags.json) return this.printJson(psJson(ps));
    const {stdoutChalk} = await import('../output/stdout-colors.js');
    process.stdout.write(psTable(ps, stdoutChalk(), Date.now()) + '\n');
  }
}
