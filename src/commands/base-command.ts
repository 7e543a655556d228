import {Command, Errors, Flags, type Interfaces} from '@oclif/core';
import {ExitCode, SidecarError, isSidecarError} from '../errors/index.js';
import {asSidecarError, reportFailure} from '../output/report-failure.js';
import {safeJson} from '../output/safe-json.js';

// Flags every manifest-reading command takes (DESIGN "Commands").
export const manifestFlags = {
  file: Flags.string({
    char: 'f',
    description: 'path to the manifest',
    default: 'sidecar.yaml',
    env: 'SIDECAR_FILE',
    helpGroup: 'GLOBAL',
  }),
};

export const jsonFlag = {
  json: Flags.boolean({description: 'machine output on stdout', default: false}),
};

// Commands are thin adapters: parse, call one core function, format. This base
// turns every failure into one printed block and the exit code of DESIGN.md.
export abstract class BaseCommand extends Command {
  protected jsonMode = false;

  protected override async catch(error: Interfaces.CommandError | Error): Promise<void> {
    // this.exit() inside run() is not a failure: let oclif end the process.
    if (error instanceof Errors.ExitError) throw error;
    const sidecarError = toSidecarError(error, this.id, this.argv);
    reportFailure(sidecarError, error, this.jsonMode || this.argv.includes('--json'));
    this.exit(sidecarError.exitCode);
  }

  // `--wait=true` was taken by oclif as `--wait` and a word `true` (a new user's
  // trial: "no service named true"); `down --volumes=yes` as an unexpected `yes`.
  // A switch given a value is said to be one.
  protected override async init(): Promise<void> {
    await super.init();
    const flags = (this.constructor as {flags?: Record<string, {type?: string; allowNo?: boolean}>}).flags ?? {};
    for (const word of this.argv) {
      if (word === '--') break;
      const match = /^--([\w-]+)=(.*)$/s.exec(word);
      const name = match?.[1];
      if (name === undefined) continue;
      const base = flags[name] ? name : name.startsWith('no-') ? name.slice(3) : name;
      const flag = flags[base];
      if (flag?.type !== 'boolean') continue;
      const how = flag.allowNo ? `\`--${base}\` turns it on, \`--no-${base}\` off` : `\`--${base}\` alone turns it on; leave it out for off`;
      throw new SidecarError('SIDECAR_USAGE', `--${base} is a switch and takes no value (given ${word})`, {
        exitCode: ExitCode.usage,
        suggestion: `${how} (\`sidecar help ${this.id?.replaceAll(':', ' ') ?? ''}\` lists the flags)`,
      });
    }
  }

  // CMD of `run -- CMD` / `exec SVC -- CMD`, as typed: the words after the first
  // `--`. oclif's argv of a non-strict command is sorted by each word's first
  // index in the input, which moves a repeated word (`-- sh -c '…' sh x` ran
  // `sh sh -c …`; heroku/cli#2976 met the same). Undefined without `--`.
  protected wordsAfterDashDash(): string[] | undefined {
    const at = this.argv.indexOf('--');
    return at === -1 ? undefined : this.argv.slice(at + 1);
  }

  protected printJson(value: unknown): void {
    process.stdout.write(safeJson(value, 2) + '\n');
  }
}

// oclif's own parse failures (unknown flag, missing argument) are usage errors: exit 2.
export function toSidecarError(error: unknown, command?: string, argv: readonly string[] = []): SidecarError {
  if (isSidecarError(error)) return error;
  if (error instanceof Errors.ExitError) {
    return new SidecarError('SIDECAR_UNEXPECTED', error.message, {exitCode: error.oclif.exit as 0});
  }
  if (isParseError(error)) {
    // oclif puts the detail (which argument, which flag) on the following lines.
    const message = (error as Error).message.split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('See more help')).join(' ') || 'invalid arguments';
    const fromEnv = badValueFromEnv(message, argv);
    if (fromEnv) return fromEnv;
    return new SidecarError('SIDECAR_USAGE', message, {
      suggestion: command ? `see \`sidecar help ${command.replaceAll(':', ' ')}\`` : 'see `sidecar help` or `sidecar COMMAND --help`',
      exitCode: ExitCode.usage,
      cause: error,
    });
  }
  return asSidecarError(error);
}

// The flags that read an environment variable when not given (manifestFlags, up's --runtime).
const FLAG_ENV: Record<string, string> = {runtime: 'SIDECAR_RUNTIME', file: 'SIDECAR_FILE'};

// oclif says "Expected --runtime=bogus to be one of: ..." for a value that came from
// SIDECAR_RUNTIME, with no --runtime typed (found by a new user's trial): name the variable.
function badValueFromEnv(message: string, argv: readonly string[]): SidecarError | undefined {
  const match = /^Expected --([\w-]+)=(.*) to be one of: (.*)$/.exec(message);
  const variable = match ? FLAG_ENV[match[1]!] : undefined;
  if (!match || !variable || process.env[variable] !== match[2]) return undefined;
  if (argv.some((word) => word === `--${match[1]}` || word.startsWith(`--${match[1]}=`))) return undefined;
  return new SidecarError('SIDECAR_USAGE', `${variable}=${match[2]} is not one of: ${match[3]} (--${match[1]} takes its value from ${variable} when not given)`, {
    suggestion: `set ${variable} to one of them, or unset it (\`unset ${variable}\`)`,
    exitCode: ExitCode.usage,
  });
}

function isParseError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const name = error.constructor?.name ?? '';
  return (
    /Parse|Flag|Arg|Validation|NonExistent|Unexpected/.test(name) ||
    ('parse' in error && (error as {parse?: unknown}).parse !== undefined) ||
    (error instanceof Errors.CLIError && (error as Errors.CLIError).oclif?.exit === 2)
  );
}
