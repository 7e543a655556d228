import type {LeanDown, LeanUp, LeanValidate} from './lean-argv.js';
import {upCommand} from './stack/up-command.js';
import {downCommand} from './stack/down-command.js';
import {validateCommand} from './stack/validate-command.js';

// Entry of the lean bundle (scripts/bundle.js): `up -d`/`up --wait` and `down`
// with plain words (lean-argv.ts), run by the same functions as the oclif
// commands, failing with the same block and exit code as BaseCommand.
class LeanExit {
  constructor(readonly code: number) {}
}

// `asked`: for a `down`, what src/lean-down.ts found before handing over (down-stack.ts).
export async function runLean(lean: LeanUp | LeanDown | LeanValidate, asked?: {hung: boolean}): Promise<void> {
  try {
    if (lean.command === 'up') {
      await upCommand(lean.flags, lean.words, (code) => {
        throw new LeanExit(code);
      });
    } else if (lean.command === 'validate') {
      await validateCommand(lean.flags, (code) => {
        throw new LeanExit(code);
      });
    } else {
      await downCommand(lean.flags, asked);
    }
  } catch (thrown) {
    if (thrown instanceof LeanExit) process.exit(thrown.code);
    // The error block's module (and chalk, ~4 ms) loads only for a failure.
    const {asSidecarError, reportFailure} = await import('./output/report-failure.js');
    const error = asSidecarError(thrown);
    reportFailure(error, thrown, lean.flags.json);
    process.exit(error.exitCode);
  }
}
