import {BaseCommand, jsonFlag, manifestFlags} from './base-command.js';

export default class Validate extends BaseCommand {
  static override summary = 'Check the manifest; exit 0, or exit 3 with every problem found';
  static override examples = ['<%= config.bin %> validate', '<%= config.bin %> validate -f stack/sidecar.yaml --json'];
  static override flags = {...manifestFlags, ...jsonFlag};

  async run(): Promise<void> {
    const {flags} = await this.parse(Validate);
    this.jsonMode = flags.json;
    const {validateCommand} = await import('../stack/validate-command.js');
    await validateCommand(flags, (code) => this.exit(code));
  }
}
