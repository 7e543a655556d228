import {SidecarError, fromEngineError, fromOsError, isSidecarError} from '../errors/index.js';
import {renderError} from './render-error.js';
import {safeJson} from './safe-json.js';

// Anything thrown that is not already a SidecarError: an OS or engine error we
// can explain, else a bug of ours (no stack trace unless DEBUG asks for it).
export function asSidecarError(error: unknown): SidecarError {
  if (isSidecarError(error)) return error;
  const known = fromOsError(error) ?? fromEngineError(error);
  if (known) return known;
  const message = error instanceof Error ? error.message : String(error);
  return new SidecarError('SIDECAR_UNEXPECTED', message, {
    suggestion: 'this is a bug in sidecar; rerun with DEBUG=sidecar* and report it',
    cause: error,
  });
}

// The one printed block of a failed command (JSON on stdout under --json), and
// the stack when DEBUG names sidecar; the caller exits with the error's code.
export function reportFailure(error: SidecarError, cause: unknown, json: boolean): void {
  if (json) process.stdout.write(safeJson({error: error.toJSON()}, 2) + '\n');
  else process.stderr.write(renderError(error) + '\n');
  const stack = cause instanceof Error ? cause.stack : undefined;
  if (process.env.DEBUG && /sidecar/.test(process.env.DEBUG) && stack) process.stderr.write(stack + '\n');
}
