import {constants} from 'node:os';
import type {ExitInfo} from '../runtime/types.js';

// Shell convention: death by signal N is exit code 128 + N.
export function exitCodeOf(info: Pick<ExitInfo, 'exitCode' | 'signal'>): number {
  if (info.exitCode !== null) return info.exitCode;
  const number = info.signal ? constants.signals[info.signal] : undefined;
  return number === undefined ? 1 : 128 + number;
}
