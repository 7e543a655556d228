import {Args, loadHelpClass} from '@oclif/core';
import {BaseCommand} from './base-command.js';

// `sidecar help [COMMAND]`: what @oclif/plugin-help's command does (oclif's Help
// class renders it), registered explicitly like every command here, with our
// did-you-mean for a subject that is not a command instead of "not found".
export default class Help extends BaseCommand {
  static override summary = 'Show the commands, or the flags and examples of one';
  static override examples = ['<%= config.bin %> help', '<%= config.bin %> help up', '<%= config.bin %> up --help'];
  static override strict = false;
  static override args = {command: Args.string({description: 'the command to explain'})};

  async run(): Promise<void> {
    const {argv} = await this.parse(Help);
    const words = argv as string[];
    if (words.length > 0 && !this.config.findCommand(words.join(':')) && !this.config.findCommand(words[0]!)) {
      const {unknownCommand} = await import('./unknown-command.js');
      throw unknownCommand(words[0]!, this.config.commandIDs);
    }
    const HelpClass = await loadHelpClass(this.config);
    await new HelpClass(this.config, this.config.pjson.oclif.helpOptions ?? {}).showHelp(words);
  }
}
