import type {LeanValidate} from './lean-argv.js';
import {runLeanCommand} from './lean-run.js';
import {validateCommand} from './stack/validate-command.js';

// Entry of the validate bundle (scripts/bundle.js): a plain `sidecar validate`
// (lean-argv.ts) loads the manifest pipeline and nothing of `up` or `down`
// (the lean bundle is three times its size, and loads node:net; issue 2.10).
export async function runLeanValidate(lean: LeanValidate): Promise<void> {
  await runLeanCommand(lean.flags.json, (exit) => validateCommand(lean.flags, exit));
}
