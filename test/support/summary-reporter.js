const { missingTools } = require('./tools');

/**
 * Prints one closing line that CI reads: `N passed, N failed` (and `, N skipped` when any were skipped).
 * When tests were skipped for a missing program, a line before it names the program and how to install it.
 * Failed suites (a file that could not even load) count as failures, so a broken file never passes quietly.
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const skipped = results.numPendingTests + results.numTodoTests;
    let line = `${results.numPassedTests} passed, ${failed} failed`;
    if (skipped > 0) line += `, ${skipped} skipped`;
    // One line for the whole run, not one per test file: what the skipped tests need and how to get it.
    const missing = skipped > 0 ? missingTools() : [];
    if (missing.length > 0) process.stdout.write(`\nSkipped tests need: ${missing.join(', ')}\n`);
    process.stdout.write(`\n${line}\n`);
  }
}
module.exports = SummaryReporter;
