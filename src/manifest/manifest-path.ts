import {statSync} from 'node:fs';
import path from 'node:path';
import {ExitCode, SidecarError} from '../errors/index.js';
import {invalid} from './invalid.js';
import {notRegularFile} from './read-text-file.js';

// The manifest path a command was given (-f, --file=, SIDECAR_FILE), before it is
// read, or before its directory is taken as the project's by a command that only
// talks to a running stack. Found by a new user's trial: `--file=` (empty) was
// "  is a directory", and `SIDECAR_FILE=dir/ sidecar down` looked for a stack in
// the directory above it.
export function checkManifestPath(file: string): void {
  if (file === '') {
    throw new SidecarError('SIDECAR_USAGE', 'the manifest path is empty (-f "", --file= or SIDECAR_FILE="")', {
      exitCode: ExitCode.usage,
      suggestion: 'name the manifest file: -f sidecar.yaml, or leave -f out (and SIDECAR_FILE unset) to use ./sidecar.yaml',
    });
  }
  if (isDirectory(file)) throw directoryGiven(file);
}

function directoryGiven(file: string): SidecarError {
  return new SidecarError('SIDECAR_MANIFEST_NOT_FOUND', `${file} is a directory, not a manifest`, {
    suggestion: `pass the manifest file itself: -f ${path.join(file, 'sidecar.yaml')}`,
  });
}

function isDirectory(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}

// A manifest path that is there but is no file to read (a FIFO, a device, a socket),
// for commands that only look whether a manifest is there (`logs`, `events`, `down`
// without a stack): the error `validate` gives, not "no manifest at" (found by a new
// user's trial: `down -f /dev/zero`). Nothing is opened.
export function checkManifestIsFile(file: string): void {
  let stats;
  try {
    stats = statSync(file);
  } catch {
    return;
  }
  const odd = notRegularFile(stats, file);
  if (odd) throw invalid([{message: odd.message, place: {file, line: odd.line, column: odd.column, path: ''}, suggestion: odd.suggestion}]);
}
