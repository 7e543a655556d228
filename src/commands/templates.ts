import {BaseCommand, jsonFlag} from './base-command.js';

export default class Templates extends BaseCommand {
  static override summary = 'List the templates that init, new and add scaffold from';
  static override examples = ['<%= config.bin %> templates', '<%= config.bin %> templates --json'];
  static override flags = {...jsonFlag};

  async run(): Promise<void> {
    const {flags} = await this.parse(Templates);
    this.jsonMode = flags.json;
    const {listTemplates} = await import('../scaffold/template-catalog.js');
    const templates = listTemplates().map(({name, kind, description}) => ({name, kind, description}));
    if (flags.json) {
      this.printJson(templates);
      return;
    }
    const width = Math.max(...templates.map((template) => template.name.length), 4);
    for (const template of templates) process.stdout.write(`${template.name.padEnd(width)}  ${template.kind.padEnd(7)}  ${template.description}\n`);
  }
}
