import {durationOption} from './commands/duration-option.js';
import {filesFor} from './host/find-supervisor.js';
import type {LeanDown} from './lean-argv.js';
import {assertStateTree} from './runtime/safe-state-dir.js';
import {stopLive} from './stack/down-live.js';
import {printDown} from './stack/down-report.js';

export interface FullLean {
  runLean(lean: LeanDown, asked?: {hung: boolean}): Promise<void>;
}

// Entry of the down bundle (scripts/bundle.js): a plain `down` (lean-argv.ts)
// whose supervisor answers and stops, the common case, from ~1/10 of the lean
// bundle's code (issue 13.1: loading that was ~14 ms of every `down`). Anything
// else goes to the lean CLI (`full`): no supervisor, a silent or dead one (told
// what was found, so it does not ask again), a bad flag value or any error,
// which it meets again and reports as ever.
export async function runLeanDown(lean: LeanDown, full: () => Promise<FullLean>): Promise<void> {
  let asked: Awaited<ReturnType<typeof stopLive>> | undefined;
  try {
    const timeoutMs = durationOption('timeout', lean.flags.timeout);
    const files = filesFor(lean.flags.file);
    // Removes files only in a .sidecar/ with no symlink in it (issue 9.7), as down-stack.ts.
    assertStateTree(files.dir);
    asked = await stopLive(files, {volumes: lean.flags.volumes, ...(timeoutMs !== undefined ? {timeoutMs} : {})});
  } catch {
    asked = undefined;
  }
  if (asked && 'stopped' in asked) {
    printDown(asked.stopped, lean.flags);
    return;
  }
  await (await full()).runLean(lean, asked);
}
