import {Args} from '@oclif/core';
import {BaseCommand} from './base-command.js';

export default class Autocomplete extends BaseCommand {
  static override summary = 'Print the shell completion script for bash or zsh (commands, flags, services, templates)';
  static override description = 'Completes commands, flags and their values, the services and pods of the manifest (-f or sidecar.yaml) and template names.\n\nbash: add  eval "$(sidecar autocomplete bash)"  to ~/.bashrc\nzsh:  add  eval "$(sidecar autocomplete zsh)"  to ~/.zshrc (after compinit)';
  static override examples = ['<%= config.bin %> autocomplete bash >> ~/.bashrc', 'eval "$(<%= config.bin %> autocomplete zsh)"'];
  static override args = {shell: Args.string({description: 'the shell; default: from $SHELL', options: ['bash', 'zsh']})};

  async run(): Promise<void> {
    const {args} = await this.parse(Autocomplete);
    const {completionScript} = await import('../completion/shell-scripts.js');
    const shell = args.shell ?? (process.env.SHELL?.endsWith('zsh') ? 'zsh' : 'bash');
    process.stdout.write(completionScript(shell as 'bash' | 'zsh'));
  }
}
