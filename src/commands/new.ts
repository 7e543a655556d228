import {Args, Flags} from '@oclif/core';
import {BaseCommand} from './base-command.js';
import {cdWord, shellQuote} from '../generate/shell-quote.js';

export default class New extends BaseCommand {
  static override summary = 'Scaffold a new sidecar project from a template (package.json, source, Dockerfile, tests)';
  static override examples = ['<%= config.bin %> new http-proxy ./edge-proxy', '<%= config.bin %> new log-shipper shipper --name acme-shipper'];
  static override args = {
    template: Args.string({description: 'sidecar template (see `sidecar templates`)', required: true}),
    dir: Args.string({description: 'directory to create the project in', required: true}),
  };
  static override flags = {
    name: Flags.string({description: 'sidecar name (lowercase letters, digits, dashes); default: the directory name'}),
    force: Flags.boolean({description: 'overwrite existing files', default: false}),
  };

  async run(): Promise<void> {
    const {args, flags} = await this.parse(New);
    const {newSidecar} = await import('../scaffold/new-sidecar.js');
    const result = newSidecar({template: args.template, dir: args.dir, force: flags.force, ...(flags.name === undefined ? {} : {name: flags.name})});
    process.stdout.write(`created ${result.name} from template ${result.template} in ${result.dir} (${result.files.length} files)\n`);
    process.stdout.write(`next: cd ${shellQuote(cdWord(args.dir))} && npm test\n`);
  }
}
