import type {LeanDown, LeanUp} from './lean-argv.js';
import {upCommand} from './stack/up-command.js';
import {downCommand} from './stack/down-command.js';
import {runLeanCommand} from './lean-run.js';

// Entry of the lean bundle (scripts/bundle.js): `up -d`/`up --wait` and `down`
// with plain words (lean-argv.ts), run by the same functions as the oclif
// commands, failing with the same block and exit code as BaseCommand
// (`validate` has a bundle of its own: lean-validate.ts).
// `asked`: for a `down`, what src/lean-down.ts found before handing over (down-stack.ts).
export async function runLean(lean: LeanUp | LeanDown, asked?: {hung: boolean}): Promise<void> {
  await runLeanCommand(lean.flags.json, async (exit) => {
    if (lean.command === 'up') await upCommand(lean.flags, lean.words, exit);
    else await downCommand(lean.flags, asked);
  });
}
