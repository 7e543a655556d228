import {ErrorCodes, type ErrorCode} from './codes.js';
import type {ExitCodeValue} from './exit-codes.js';

// Where in a manifest a problem is: file:line:column plus the manifest path
// (e.g. `sidecars.proxy.health.interval`). Line and column are 1-based.
export interface Place {
  file: string;
  line: number;
  column: number;
  path: string;
}

// One problem found in a manifest; a file yields all of its problems at once.
export interface Problem {
  message: string;
  place?: Place;
  suggestion?: string;
}

export interface SidecarErrorOptions {
  place?: Place;
  suggestion?: string;
  cause?: unknown;
  problems?: Problem[];
  exitCode?: ExitCodeValue;
  // What failed at run time: a service's name, or null for what no service owns
  // (the pod, the engine), so a start failure is pinned on the right thing.
  service?: string | null;
}

// The one error shape of the project (oclif's code/message/suggestions/ref/cause).
// Core code throws it; only commands turn it into an exit code and a printed block.
export class SidecarError extends Error {
  readonly code: ErrorCode;
  readonly place?: Place;
  readonly suggestion?: string;
  readonly problems: Problem[];
  readonly exitCode: ExitCodeValue;
  readonly service?: string | null;

  constructor(code: ErrorCode, message: string, options: SidecarErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : {cause: options.cause});
    this.name = 'SidecarError';
    this.code = code;
    this.place = options.place;
    this.suggestion = options.suggestion;
    this.problems = options.problems ?? [];
    this.exitCode = options.exitCode ?? ErrorCodes[code];
    if (options.service !== undefined) this.service = options.service;
  }

  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      exitCode: this.exitCode,
      ...(this.place ? {place: this.place} : {}),
      ...(this.suggestion ? {suggestion: this.suggestion} : {}),
      ...(this.problems.length > 0 ? {problems: this.problems} : {}),
    };
  }
}

export function isSidecarError(error: unknown): error is SidecarError {
  return error instanceof SidecarError;
}

export function formatPlace(place: Place): string {
  return `${place.file}:${place.line}:${place.column} ${place.path}`.trimEnd();
}
