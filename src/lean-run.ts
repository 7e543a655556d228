// How a lean entry (lean-cli.ts, lean-validate.ts) runs one command, as
// BaseCommand does under oclif: `exit(code)` ends it with that code; anything
// thrown is the same error block and exit code.
class LeanExit {
  constructor(readonly code: number) {}
}

export async function runLeanCommand(json: boolean, body: (exit: (code: number) => never) => Promise<void>): Promise<void> {
  try {
    await body((code) => {
      throw new LeanExit(code);
    });
  } catch (thrown) {
    if (thrown instanceof LeanExit) process.exit(thrown.code);
    // The error block's module (and chalk, ~4 ms) loads only for a failure.
    const {asSidecarError, reportFailure} = await import('./output/report-failure.js');
    const error = asSidecarError(thrown);
    reportFailure(error, thrown, json);
    process.exit(error.exitCode);
  }
}
