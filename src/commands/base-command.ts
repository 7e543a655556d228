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
    const sidecarError = toSidecarError(error, this.id);
    reportFailure(sidecarError, error, this.jsonMode || this.argv.includes('--json'));
    this.exit(sidecarError.exitCode);
  }

  protected printJson(value: unknown): void {
    process.stdout.write(safeJson(value, 2) + '\n');
  }
}

// oclif's own parse failures (unknown flag, missing argument) are usage errors: exit 2.
export function toSidecarError(error: unknown, command?: string): SidecarError {
  if (isSidecarError(error)) return error;
  if (error instanceof Errors.ExitError) {
    return new SidecarError('SIDECAR_UNEXPECTED', error.message, {exitCode: error.oclif.exit as 0});
  }
  if (isParseError(error)) {
    // oclif puts the detail (which argument, which flag) on the following lines.
    const message = (error as Error).message.split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('See more help')).join(' ') || 'invalid arguments';
    return new SidecarError('SIDECAR_USAGE', message, {
      suggestion: command ? `see \`sidecar help ${command.replaceAll(':', ' ')}\`` : 'see `sidecar help` or `sidecar COMMAND --help`',
      exitCode: ExitCode.usage,
      cause: error,
    });
  }
  return asSidecarError(error);
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
