// Prints vitest's totals as one plain line ("tests: N passed, N failed, N skipped")
// so CI logs end with a count any reader or tool understands.
import {readFileSync} from 'node:fs';

const file = process.argv[2] ?? '.vitest-results.json';
try {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  console.log(`tests: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped`);
} catch (error) {
  console.log(`tests: no result file (${error.message})`);
}
