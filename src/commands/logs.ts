import {Args, Flags} from '@oclif/core';
import {BaseCommand, jsonFlag, manifestFlags} from './base-command.js';

export default class Logs extends BaseCommand {
  static override summary = 'Past and live logs of the services';
  static override examples = ['<%= config.bin %> logs', '<%= config.bin %> logs proxy -f --tail 20', '<%= config.bin %> logs --since 5m --timestamps', '<%= config.bin %> logs orders', '<%= config.bin %> logs orders/egress -f'];
  static override strict = false;
  static override args = {service: Args.string({description: 'services to show: SERVICE, POD/SERVICE, or POD for all its services; default: all'})};
  static override flags = {
    ...manifestFlags,
    // `-f` is --follow here (as in `docker logs -f`, DESIGN `logs [-f]`); the manifest is --file only.
    file: Flags.string({description: 'path to the manifest', default: 'sidecar.yaml', env: 'SIDECAR_FILE', helpGroup: 'GLOBAL'}),
    ...jsonFlag,
    follow: Flags.boolean({char: 'f', description: 'keep printing new lines', default: false}),
    tail: Flags.integer({char: 'n', description: 'only the last N lines of each service', min: 0}),
    since: Flags.string({description: 'only lines newer than this duration (e.g. 10m) or an ISO time'}),
    timestamps: Flags.boolean({char: 't', description: 'show the time of each line', default: false}),
  };

  async run(): Promise<void> {
    const {flags, argv} = await this.parse(Logs);
    this.jsonMode = flags.json;
    const {sinceOption} = await import('./since-option.js');
    const since = sinceOption(flags.since, Date.now());
    const {filesFor} = await import('../host/find-supervisor.js');
    const {streamLogs} = await import('../stack/logs-stack.js');
    const {LogPrefixer} = await import('../output/log-prefixer.js');
    const {stdoutChalk} = await import('../output/stdout-colors.js');
    const {safeJson} = await import('../output/safe-json.js');
    const {stdoutClosed} = await import('../output/stdout-closed.js');
    const closed = stdoutClosed();
    const services = argv as string[];
    // `-f` is --follow here, --file elsewhere (found by a new user's trial: `logs -f
    // pod.yaml orders/app` looked for sidecar.yaml). No service name has a dot.
    const manifestWord = services.find((word) => /\.(ya?ml|json)$/i.test(word));
    if (manifestWord !== undefined) {
      const {SidecarError} = await import('../errors/index.js');
      const {shellQuote} = await import('../generate/shell-quote.js');
      throw new SidecarError('SIDECAR_USAGE', `"${manifestWord}" is not a service: in \`sidecar logs\`, -f is --follow`, {
        suggestion: `name the manifest with --file: sidecar logs --file ${shellQuote(manifestWord)}${flags.follow ? ' -f' : ''} ${services.filter((w) => w !== manifestWord).map(shellQuote).join(' ')}`.trimEnd(),
      });
    }
    let prefixer: InstanceType<typeof LogPrefixer> | undefined;
    let count = 0;
    const {live} = await streamLogs(filesFor(flags.file), flags.file, {services, follow: flags.follow, ...(flags.tail !== undefined ? {tail: flags.tail} : {}), ...(since !== undefined ? {since} : {})}, (lines, ids) => {
      count += lines.length;
      if (flags.json) {
        process.stdout.write(lines.map((line) => safeJson(line) + '\n').join(''));
        return;
      }
      // Prefixes padded to the widest service id shown (`orders/egress`, not the `orders` typed).
      prefixer ??= new LogPrefixer(ids.length > 0 ? ids : [...new Set(lines.map((l) => l.service))], stdoutChalk(), flags.timestamps);
      process.stdout.write(lines.map((line) => prefixer!.format(line)).join(''));
    }, closed);
    // Its reader has gone (`logs -f | head -1`): an end, said by nobody.
    if (closed.aborted) return;
    // Nothing matched: say so on stderr, so that an empty answer is not taken for a lost one.
    // -f with no stack: nothing new can come; say why it ended rather than follow forever.
    if (flags.follow && !live) process.stderr.write('no stack is running: printed the past logs, nothing to follow\n');
    if (count === 0 && !flags.json) process.stderr.write(`no log lines${services.length > 0 ? ` of ${services.join(', ')}` : ''}${flags.since !== undefined ? ` since ${flags.since}` : ''}\n`);
  }
}
