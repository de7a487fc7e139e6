/**
 * The Python client (clients/python) against real gateways: its unittest suite runs once, and each Python
 * test is reported here as one jest test. The tests are listed at collection time (`runner.py list`), run
 * together in `beforeAll` (`runner.py run`, which writes each outcome to a JSON file), then each `it` asserts
 * its own outcome and shows the Python failure text. A test skipped by a Python `@skip` decorator is known
 * when listing and shows as skipped here. The Python tests start `node dist/src/main.js` themselves, which
 * `npm test` has just built.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MAIN, ROOT } from '../support/gateway';

const PYTHON = process.env.TRACKQL_PYTHON ?? 'python3';
const RUNNER = path.join(ROOT, 'clients', 'python', 'tests', 'runner.py');
/** The whole Python suite takes about 30 s on two busy cores. */
const RUN_TIMEOUT_MS = 180_000;

interface Listed { id: string; skip: string | null }
interface Outcome { outcome: 'passed' | 'failed' | 'skipped'; message: string; seconds: number }

const env = { ...process.env, TRACKQL_NODE: process.execPath, PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1' };

if (spawnSync(PYTHON, ['--version']).status !== 0) {
  throw new Error(`${PYTHON} is not installed: apt-get install -y python3 (.ci/run does it)`);
}
const listing = spawnSync(PYTHON, [RUNNER, 'list'], { env, encoding: 'utf8' });
if (listing.status !== 0) throw new Error(`cannot list the Python client's tests:\n${listing.stderr}`);
const tests = JSON.parse(listing.stdout) as Listed[];

/** `tests.test_run.RunTest.test_flush_stores…` → describe `RunTest`, it `flush stores…`. */
function names(id: string): { group: string; title: string } {
  const parts = id.split('.');
  const [group, method] = [parts.at(-2) ?? id, parts.at(-1) ?? id];
  return { group, title: method.replace(/^test_/, '').replace(/_/g, ' ') };
}

const outcomes = new Map<string, Outcome>();
let runLog = '';

beforeAll(async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'trackql-python-'));
  const out = path.join(dir, 'outcomes.json');
  try {
    await new Promise<void>((resolve, reject) => {
      // Its own process group, so that a run past its time is killed with every gateway it started.
      const child = spawn(PYTHON, [RUNNER, 'run', out], { env, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      const timer = setTimeout(() => {
        runLog += `\nthe Python run took over ${RUN_TIMEOUT_MS - 5_000} ms: killed`;
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      }, RUN_TIMEOUT_MS - 5_000);
      for (const stream of [child.stdout, child.stderr]) stream.on('data', (chunk: Buffer) => { runLog += chunk.toString('utf8'); });
      child.once('error', reject);
      // Exit code 1 only means some test failed: each `it` below says which.
      child.once('exit', () => { clearTimeout(timer); resolve(); });
    });
    const written = JSON.parse(readFileSync(out, 'utf8')) as Record<string, Outcome>;
    for (const [id, outcome] of Object.entries(written)) outcomes.set(id, outcome);
  } catch (err) {
    runLog += `\n${String(err)}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, RUN_TIMEOUT_MS);

describe('Python client (clients/python)', () => {
  it('has tests to run, against a built gateway', () => {
    expect(tests.length).toBeGreaterThan(0);
    expect(existsSync(MAIN)).toBe(true);
  });

  const groups = new Map<string, Listed[]>();
  for (const test of tests) groups.set(names(test.id).group, [...(groups.get(names(test.id).group) ?? []), test]);
  for (const [group, members] of groups) {
    describe(group, () => {
      for (const test of members) {
        const { title } = names(test.id);
        if (test.skip !== null) {
          it.skip(`${title} (skipped: ${test.skip})`, () => undefined);
          continue;
        }
        it(title, () => {
          const outcome = outcomes.get(test.id);
          if (outcome === undefined) throw new Error(`${test.id} has no outcome: the Python run failed:\n${runLog.slice(-4000)}`);
          // A skip decided while running cannot show as skipped in jest: use a @skip decorator instead.
          if (outcome.outcome === 'skipped') throw new Error(`${test.id} skipped itself at run time (${outcome.message}): use @unittest.skip… so it is known when listing`);
          if (outcome.outcome === 'failed') throw new Error(`${test.id} failed:\n${outcome.message}`);
          expect(outcome.outcome).toBe('passed');
        });
      }
    });
  }
});
