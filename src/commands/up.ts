import {Args, Flags} from '@oclif/core';
import {BaseCommand, manifestFlags} from './base-command.js';

export const runtimeFlag = {
  runtime: Flags.string({description: 'where services run', options: ['auto', 'docker', 'process'], default: 'auto', env: 'SIDECAR_RUNTIME'}),
};

export default class Up extends BaseCommand {
  static override summary = 'Start the stack: foreground with prefixed logs, or detached with -d / --wait';
  static override examples = [
    '<%= config.bin %> up',
    '<%= config.bin %> up -d',
    '<%= config.bin %> up --wait --timeout 60s',
    '<%= config.bin %> up --runtime process proxy',
    '<%= config.bin %> up -d payments',
    '<%= config.bin %> up --wait --json > stack.json',
    '<%= config.bin %> up --watch',
  ];
  static override strict = false;
  static override args = {service: Args.string({description: 'services to start (with what they need): SERVICE, POD/SERVICE, or POD (with the pods it is after); default: all'})};
  static override flags = {
    ...manifestFlags,
    ...runtimeFlag,
    detach: Flags.boolean({char: 'd', description: 'leave a detached supervisor running the stack and return', default: false}),
    wait: Flags.boolean({description: 'return once every service is ready (implies -d); exit 5 if one is not', default: false}),
    timeout: Flags.string({description: 'give up if the stack is not ready within this duration (e.g. 60s)'}),
    build: Flags.boolean({description: 'rebuild images of services with `build` even when their context is unchanged (docker)', default: false}),
    watch: Flags.boolean({description: 'follow the manifest\'s watch: rules: restart or sync a service when its files change', default: false}),
    json: Flags.boolean({description: 'with --wait or -d: print the stack, its services and their endpoints as JSON on stdout', default: false}),
  };

  async run(): Promise<void> {
    const {flags, argv} = await this.parse(Up);
    this.jsonMode = flags.json;
    const {upCommand} = await import('../stack/up-command.js');
    await upCommand(flags, argv as string[], (code) => this.exit(code));
  }
}
