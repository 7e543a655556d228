import {Args, Flags} from '@oclif/core';
import {BaseCommand, jsonFlag} from './base-command.js';
import {cdWord, shellQuote} from '../generate/shell-quote.js';

export default class Init extends BaseCommand {
  static override summary = 'Scaffold a project: sidecar.yaml, a .gitignore entry for .sidecar/, a README';
  static override description =
    'Asks for the project name and the sidecars to include when run on a terminal; uses the flags alone when stdin is not a TTY or CI=true. In a directory that already holds an app (package.json, server.js, app.py, go.mod, a Dockerfile...), writes only sidecar.yaml, the .gitignore entry and the sidecars around it.';
  static override examples = [
    '<%= config.bin %> init',
    '<%= config.bin %> init shop --name shop',
    '<%= config.bin %> init --template auth-proxy --template log-shipper',
  ];
  static override args = {
    dir: Args.string({description: 'project directory', default: '.'}),
  };
  static override flags = {
    ...jsonFlag,
    template: Flags.string({char: 't', description: 'project template, or a sidecar template to include; repeat for several (see `sidecar templates`)', multiple: true}),
    name: Flags.string({description: 'project name (lowercase letters, digits, dashes); default: the directory name'}),
    force: Flags.boolean({description: 'overwrite existing files', default: false}),
  };

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Init);
    this.jsonMode = flags.json;
    const {initProject, defaultProjectName} = await import('../scaffold/init-project.js');
    let name = flags.name;
    let templates = flags.template ?? [];
    let sidecars: string[] = [];
    const interactive = process.stdin.isTTY === true && process.env.CI !== 'true' && !flags.json;
    if (interactive) {
      const {askInitChoices} = await import('../scaffold/init-prompts.js');
      const {listTemplates, findTemplate} = await import('../scaffold/template-catalog.js');
      const chosen = templates.map((template) => findTemplate(template));
      const answers = await askInitChoices(
        {input: process.stdin, output: process.stdout},
        {
          defaultName: defaultProjectName(args.dir),
          ...(name === undefined ? {} : {fixedName: name}),
          templates: listTemplates().filter((template) => template.kind === 'sidecar'),
          preselected: chosen.filter((template) => template.kind === 'sidecar').map((template) => template.name),
        },
      );
      name = answers.name;
      sidecars = answers.sidecars;
      // The answer decides the sidecars, including those named by --template.
      templates = chosen.filter((template) => template.kind === 'project').map((template) => template.name);
    }
    const result = await initProject({dir: args.dir, templates, force: flags.force, sidecars, ...(name === undefined ? {} : {name})});
    if (flags.json) {
      this.printJson(result);
      return;
    }
    for (const warning of result.warnings) process.stderr.write(`warning: ${warning}\n`);
    const what = result.adopted ? `set up project ${result.name} around the app in ${result.dir} (found ${result.adopted})` : `created project ${result.name} in ${result.dir}`;
    process.stdout.write(`${what}${result.sidecars.length > 0 ? ` with ${result.sidecars.join(', ')}` : ''} (${result.files.length} files)\n`);
    for (const line of result.next) process.stdout.write(`  - ${line}\n`);
    process.stdout.write(`next: ${args.dir === '.' ? '' : `cd ${shellQuote(cdWord(args.dir))} && `}sidecar validate && sidecar up\n`);
  }
}
