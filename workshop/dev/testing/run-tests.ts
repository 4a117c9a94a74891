/**
 * The test step of `npm test`: runs vitest (both projects, or the arguments given), then prints one closing line,
 * "tests: N passed, N failed, N skipped", that people and CI can read. Exits with vitest's exit code.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';

const resultsFile = '.vitest-results.json';
rmSync(resultsFile, { force: true });
const result = spawnSync(
  'npx',
  [
    'vitest',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${resultsFile}`,
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit' },
);
let code = result.status ?? 1;
if (existsSync(resultsFile)) {
  const summary = JSON.parse(readFileSync(resultsFile, 'utf8')) as {
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
    numTodoTests: number;
    numTotalTests: number;
    testResults: { name: string; assertionResults: { ancestorTitles: string[]; status: string }[] }[];
  };
  // Skipped suites carry their reason in their title: list them, so a skip is never silent.
  const skippedSuites = new Set<string>();
  for (const file of summary.testResults) {
    for (const test of file.assertionResults) {
      if (test.status === 'skipped' || test.status === 'pending' || test.status === 'todo') {
        skippedSuites.add(test.ancestorTitles[0] ?? file.name);
      }
    }
  }
  for (const suite of skippedSuites) process.stdout.write(`skipped: ${suite}\n`);
  process.stdout.write(
    `\ntests: ${summary.numPassedTests} passed, ${summary.numFailedTests} failed, ${summary.numPendingTests + summary.numTodoTests} skipped\n`,
  );
  if (summary.numTotalTests === 0) {
    process.stdout.write('no test ran: treating that as a failure\n');
    code = code || 1;
  }
} else {
  process.stdout.write('\ntests: vitest wrote no results; see its output above\n');
  code = code || 1;
}
process.exit(code);
