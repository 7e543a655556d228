import {ExitCode, type ExitCodeValue} from './exit-codes.js';

// Stable machine-readable codes; each maps to one exit code.
export const ErrorCodes = {
  SIDECAR_UNEXPECTED: ExitCode.unexpected,
  SIDECAR_USAGE: ExitCode.usage,
  SIDECAR_MANIFEST_NOT_FOUND: ExitCode.invalidManifest,
  SIDECAR_MANIFEST_INVALID: ExitCode.invalidManifest,
  SIDECAR_RUNTIME_UNAVAILABLE: ExitCode.runtimeUnavailable,
  SIDECAR_STACK_FAILED: ExitCode.stackFailed,
  SIDECAR_NOT_RUNNING: ExitCode.stackFailed,
  SIDECAR_ALREADY_RUNNING: ExitCode.stackFailed,
  // A supervisor that is alive but gives no sign of life within its deadline (stopped or busy).
  SIDECAR_NOT_RESPONDING: ExitCode.stackFailed,
  // A control socket (or its directory) that another user owns or could replace: never talked to.
  SIDECAR_SOCKET_UNTRUSTED: ExitCode.usage,
  SIDECAR_UNKNOWN_SERVICE: ExitCode.usage,
  // A bare name that two pods have (or a pod and a service): a usage error with the spellings that are not.
  SIDECAR_AMBIGUOUS_SERVICE: ExitCode.usage,
  // Existing files need an explicit --force: a usage problem, not a bug.
  SIDECAR_SCAFFOLD_CONFLICT: ExitCode.usage,
  SIDECAR_SCAFFOLD_INVALID: ExitCode.usage,
  // A path of ours in the state tree is a symlink or not what we made (issue 9.7).
  SIDECAR_UNSAFE_PATH: ExitCode.usage,
  // The OS refused a file operation (EACCES, EROFS, ENOSPC...): named with its path and a fix (issue 9.12).
  SIDECAR_FILESYSTEM: ExitCode.usage,
  // The engine (dockerd, podman's API) refused a request: what was asked, of which object, its words (issue 15.4).
  SIDECAR_ENGINE_REFUSED: ExitCode.stackFailed,
} as const satisfies Record<string, ExitCodeValue>;

export type ErrorCode = keyof typeof ErrorCodes;
