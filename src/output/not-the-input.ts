import {statSync} from 'node:fs';
import path from 'node:path';
import {ExitCode, SidecarError} from '../errors/index.js';

// `-o FILE` naming the very file the command reads (found by a new user's
// `generate compose -o sidecar.yaml`, which replaced the manifest with Compose
// YAML): refused before anything is written, whatever the spelling (a relative
// path, a link to it, a hard link), so the input is never lost. --force does not
// lift it: the output is made from that input.
export function refuseOutputOverInput(output: string, input: string, command: string, suggestion: string): void {
  if (!sameFile(output, input)) return;
  const what = path.resolve(output) === path.resolve(input) ? 'names' : `is ${path.resolve(input)},`;
  throw new SidecarError('SIDECAR_USAGE', `-o ${output} ${what} the file \`sidecar ${command}\` reads: writing it would replace it, so nothing was written`, {
    exitCode: ExitCode.usage,
    suggestion,
  });
}

function sameFile(a: string, b: string): boolean {
  try {
    const one = statSync(a);
    const other = statSync(b);
    return one.dev === other.dev && one.ino === other.ino;
  } catch {
    // Either is not there (a new output): not the same file.
    return false;
  }
}
