import {Args, Flags} from '@oclif/core';
import {BaseCommand, jsonFlag} from './base-command.js';

export default class Init extends BaseCommand {
  static override summary = 'Scaffold a project: sidecar.yaml, a .gitignore entry for .sidecar/, a README';
  static override description = 'Asks for the project name and the sidecars to include when run on a terminal; uses the flags alone when stdin is not a TTY or CI=true.';
  static override examples = ['<%= config.bin %> init', '<%= config.bin %> init shop --name shop', '<%= config.bin %> init --template http-proxy'];
  static override args = {
    dir: Args.string({description: 'project directory', default: '.'}),
  };
  static override flags = {
    ...jsonFlag,
    template: Flags.string({char: 't', description: 'project template, or a sidecar template to include (see `sidecar templates`)', default: 'project'}),
    name: Flags.string({description: 'project name (lowercase letters, digits, dashes); default: the directory name'}),
    force: Flags.boolean({description: 'overwrite existing files', default: false}),
  };

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Init);
    this.jsonMode = flags.json;
    const {initProject, defaultProjectName} = await import('../scaffold/init-project.js');
    let name = flags.name;
    let template = flags.template;
    let sidecars: string[] = [];
    const interactive = process.stdin.isTTY === true && process.env.CI !== 'true' && !flags.json;
    if (interactive) {
      const {askInitChoices} = await import('../scaffold/init-prompts.js');
      const {listTemplates, findTemplate} = await import('../scaffold/template-catalog.js');
      const chosen = findTemplate(flags.template);
      const answers = await askInitChoices(
        {input: process.stdin, output: process.stdout},
        {
          defaultName: defaultProjectName(args.dir),
          ...(name === undefined ? {} : {fixedName: name}),
          templates: listTemplates().filter((template) => template.kind === 'sidecar'),
          preselected: chosen.kind === 'sidecar' ? [chosen.name] : [],
        },
      );
      name = answers.name;
      sidecars = answers.sidecars;
      // The answer decides the sidecars, including one named by --template.
      if (chosen.kind === 'sidecar') template = 'project';
    }
    const result = await initProject({dir: args.dir, template, force: flags.force, sidecars, ...(name === undefined ? {} : {name})});
    if (flags.json) {
      this.printJson(result);
      return;
    }
    for (const warning of result.warnings) process.stderr.write(`warning: ${warning}\n`);
    process.stdout.write(`created project ${result.name} in ${result.dir}${result.sidecars.length > 0 ? ` with ${result.sidecars.join(', ')}` : ''} (${result.files.length} files)\n`);
    process.stdout.write(`next: ${args.dir === '.' ? '' : `cd ${args.dir} && `}sidecar validate && sidecar up\n`);
  }
}
