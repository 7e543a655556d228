import {Command, Errors, Flags, type Interfaces} from '@oclif/core';
import {ExitCode, SidecarError, fromEngineError, fromOsError, isSidecarError} from '../errors/index.js';
import {renderError} from '../output/render-error.js';
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
    if (this.jsonMode || this.argv.includes('--json')) {
      process.stdout.write(safeJson({error: sidecarError.toJSON()}, 2) + '\n');
    } else {
      process.stderr.write(renderError(sidecarError) + '\n');
    }
    if (process.env.DEBUG && /sidecar/.test(process.env.DEBUG) && error.stack) {
      process.stderr.write(error.stack + '\n');
    }
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
  const known = fromOsError(error) ?? fromEngineError(error);
  if (known) return known;
  const message = error instanceof Error ? error.message : String(error);
  return new SidecarError('SIDECAR_UNEXPECTED', message, {
    suggestion: 'this is a bug in sidecar; rerun with DEBUG=sidecar* and report it',
    cause: error,
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
