import {constants} from 'node:os';
import {Args} from '@oclif/core';
import {SidecarError} from '../errors/index.js';
import {BaseCommand, manifestFlags} from './base-command.js';
import {FORWARDED_SIGNALS, type ForwardedSignal} from '../host/control/protocol.js';

export default class Exec extends BaseCommand {
  static override summary = "Run a command in a service's container (docker) or environment (process)";
  static override examples = ['<%= config.bin %> exec app -- ls -la', "<%= config.bin %> exec proxy -- sh -c 'echo $PORT'", '<%= config.bin %> exec orders/egress -- env'];
  static override usage = '<%= command.id %> SERVICE [FLAGS] -- CMD [ARGS...]';
  static override strict = false;
  static override args = {service: Args.string({description: 'the service: SERVICE or POD/SERVICE', required: true})};
  static override flags = {...manifestFlags};

  async run(): Promise<void> {
    const {flags, args, argv} = await this.parse(Exec);
    const command = this.wordsAfterDashDash() ?? (argv as string[]).slice(1);
    if (command.length === 0) throw new SidecarError('SIDECAR_USAGE', 'exec needs a command after the service', {suggestion: `sidecar exec ${args.service} -- CMD [ARGS...]`});
    const {filesFor} = await import('../host/find-supervisor.js');
    const {requireRunningStack} = await import('../stack/stack-lookup.js');
    const {callControl} = await import('../host/control/control-client.js');
    const {live, ids} = await requireRunningStack(filesFor(flags.file), flags.file, [args.service]);
    // A pod is several services: exec runs in one.
    if (ids.length !== 1) throw new SidecarError('SIDECAR_USAGE', `${args.service} is a pod of ${ids.length} services; exec runs in one of them`, {suggestion: `sidecar exec POD/SERVICE -- CMD, with one of: ${ids.join(', ')}`});
    // stdin is passed through when it is not a terminal (`printf abc | sidecar exec a -- wc -c`),
    // as `docker compose exec` does; a terminal would need a TTY in the container.
    const stdin = process.stdin.isTTY !== true;
    // A signal to the CLI (a terminal's Ctrl-C reaches only its own group) goes on to
    // the command, and the CLI waits until nothing of it is left, then exits 128 + its
    // number, as `run` does (found by a new user's trial: the command ran on).
    const interrupt = new AbortController();
    let got: ForwardedSignal | undefined;
    const onSignal = (signal: NodeJS.Signals): void => {
      got ??= signal as ForwardedSignal;
      interrupt.abort(got);
    };
    for (const signal of FORWARDED_SIGNALS) process.on(signal, onSignal);
    let result: {exitCode: number; stdout: string; stderr: string};
    try {
      result = await callControl(live.socket, {method: 'exec', service: ids[0]!, command, stdin}, {...(stdin ? {input: process.stdin} : {}), interrupt: interrupt.signal});
    } finally {
      for (const signal of FORWARDED_SIGNALS) process.off(signal, onSignal);
    }
    if (result.stdout) process.stdout.write(result.stdout.endsWith('\n') ? result.stdout : result.stdout + '\n');
    if (result.stderr) process.stderr.write(result.stderr.endsWith('\n') ? result.stderr : result.stderr + '\n');
    this.exit(got ? 128 + constants.signals[got] : result.exitCode);
  }
}
