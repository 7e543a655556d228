import {ErrorCodes, fromEngineError, fromOsError, SidecarError, type ExitCodeValue} from '../../errors/index.js';
import {sanitizeForTerminal} from '../../output/sanitize-terminal.js';
import type {WireError} from './protocol.js';

export {SidecarError};

// Errors cross the socket as their public fields and come back as SidecarErrors,
// so the client's command prints the same block the supervisor would have.
export function toWireError(raw: unknown): WireError {
  // An OS or engine failure in the supervisor is named as the CLI would name it.
  const error = raw instanceof SidecarError ? raw : (fromOsError(raw) ?? fromEngineError(raw) ?? raw);
  if (error instanceof SidecarError) {
    return {code: error.code, message: error.message, exitCode: error.exitCode, ...(error.suggestion ? {suggestion: error.suggestion} : {})};
  }
  return {code: 'SIDECAR_UNEXPECTED', message: error instanceof Error ? error.message : String(error)};
}

// Its text is printed: no terminal control characters get through (issue 9.1).
export function fromWireError(wire: WireError): SidecarError {
  const code = typeof wire.code === 'string' && wire.code in ErrorCodes ? wire.code : 'SIDECAR_UNEXPECTED';
  return new SidecarError(code, sanitizeForTerminal(String(wire.message)), {
    ...(wire.suggestion ? {suggestion: sanitizeForTerminal(String(wire.suggestion))} : {}),
    ...(wire.exitCode !== undefined ? {exitCode: wire.exitCode as ExitCodeValue} : {}),
  });
}
