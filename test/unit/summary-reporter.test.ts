/**
 * The run's closing lines: the count line CI reads, and — only when tests were skipped for a missing program —
 * one line before it naming the program and how to install it. Run in a child process whose PATH holds no
 * programs, as on a machine without them.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ROOT } from '../support/gateway';

function closingLines(results: Record<string, number>): string[] {
  const script = `const R = require(${JSON.stringify(path.join(ROOT, 'test', 'support', 'summary-reporter.js'))});
new R().onRunComplete(new Set(), ${JSON.stringify(results)});`;
  const run = spawnSync(process.execPath, ['-e', script], { env: { PATH: '/nonexistent' }, encoding: 'utf8' });
  expect(run.status).toBe(0);
  return run.stdout.split('\n').filter((l) => l !== '');
}

const base = { numPassedTests: 10, numFailedTests: 0, numRuntimeErrorTestSuites: 0, numTodoTests: 0 };

describe('the summary reporter', () => {
  it('says once which missing programs the skipped tests need, then counts them as skipped', () => {
    const lines = closingLines({ ...base, numPendingTests: 3 });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^Skipped tests need: redis-server \(apt-get install -y redis-server\), jq \(apt-get install -y jq\)/);
    expect(lines[1]).toBe('10 passed, 0 failed, 3 skipped');
  });

  it('prints only the count line when nothing was skipped', () => {
    expect(closingLines({ ...base, numPendingTests: 0, numFailedTests: 1 })).toEqual(['10 passed, 1 failed']);
  });
});
