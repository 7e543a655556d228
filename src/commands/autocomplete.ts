import {Args} from '@oclif/core';
import {BaseCommand} from './base-command.js';
import {SidecarError} from '../errors/index.js';

export default class Autocomplete extends BaseCommand {
  static override summary = 'Print the shell completion script for bash or zsh (commands, flags, services, templates)';
  static override description = 'Completes commands, flags and their values, the services and pods of the manifest (-f or sidecar.yaml) and template names.\n\nbash: add  eval "$(sidecar autocomplete bash)"  to ~/.bashrc\nzsh:  add  eval "$(sidecar autocomplete zsh)"  to ~/.zshrc (after compinit)';
  static override examples = ['<%= config.bin %> autocomplete bash >> ~/.bashrc', 'eval "$(<%= config.bin %> autocomplete zsh)"'];
  static override args = {shell: Args.string({description: 'the shell; default: from $SHELL', options: ['bash', 'zsh']})};

  async run(): Promise<void> {
    const {args} = await this.parse(Autocomplete);
    const {completionScript} = await import('../completion/shell-scripts.js');
    const shell = args.shell ?? shellFromEnv(process.env.SHELL);
    process.stdout.write(completionScript(shell as 'bash' | 'zsh'));
  }
}

// $SHELL's completion, when it is one we write (found by a new user's trial: with
// SHELL=/bin/fish, the bash script was printed without a word); unset: bash.
function shellFromEnv(shell: string | undefined): 'bash' | 'zsh' {
  const name = shell?.split('/').pop() ?? '';
  if (name === '' || name === 'bash' || name === 'sh') return 'bash';
  if (name === 'zsh') return 'zsh';
  throw new SidecarError('SIDECAR_USAGE', `no completion script for ${name} (from $SHELL=${shell})`, {suggestion: 'sidecar writes bash and zsh completion: `sidecar autocomplete bash` or `sidecar autocomplete zsh`'});
}
