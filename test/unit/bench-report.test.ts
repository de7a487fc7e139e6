/**
 * The benchmark report keeps its provenance: the commit measured, the Node version and machine, and how many
 * runs stand behind each figure, in the JSON and in the Markdown.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeMachine } from '../../bench/lib/machine';
import { describeProvenance } from '../../bench/lib/provenance';
import { formatSpread, interleaved, spreadOf } from '../../bench/lib/repeat';
import { writeReport } from '../../bench/lib/report';

describe('the benchmark report', () => {
  it('records the commit, the Node version, the machine and the repetitions of every benchmark', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'trackql-bench-report-'));
    try {
      const provenance = describeProvenance();
      writeReport(dir, { date: '2026-12-01T00:00:00.000Z', command: 'npm run bench', quick: false, machine: describeMachine(), provenance, durationSeconds: 1 }, [{
        name: 'x', title: 'X', setup: 'set-up', repetitions: 3, raw: { runs: [1, 2, 3] },
        tables: [{ title: 't', columns: ['a'], rows: [{ label: 'r', values: { a: 1 } }] }], goals: [{ goal: 'g', met: true, measured: '1' }],
      }]);
      const json = JSON.parse(readFileSync(path.join(dir, 'benchmarks.json'), 'utf8'));
      expect(provenance.commit).toMatch(/^[0-9a-f]{40}$/);
      expect(json).toMatchObject({
        provenance: { commit: provenance.commit, dirty: expect.any(Boolean) },
        machine: { node: process.version, cores: os.cpus().length, cpu: expect.any(String) },
        results: [{ name: 'x', repetitions: 3, raw: { runs: [1, 2, 3] } }],
      });
      const md = readFileSync(path.join(dir, 'benchmarks.md'), 'utf8');
      expect(md).toContain(`**Commit:** \`${provenance.commit}\``);
      expect(md).toContain(`**Node.js:** ${process.version}`);
      expect(md).toContain('**Repetitions:** X 3');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads a figure as the median of its runs, with their range', async () => {
    expect(spreadOf([30, 10, 20])).toEqual({ median: 20, min: 10, max: 30, runs: [30, 10, 20] });
    expect(spreadOf([4, 1, 3, 2]).median).toBe(2.5);
    expect(formatSpread(spreadOf([1000, 1200, 1100]))).toBe('1,100 (1,000–1,200)');
    const order: string[] = [];
    await interleaved(['a', 'b'], 2, async (s, run) => void order.push(`${s}${run}`));
    expect(order).toEqual(['a0', 'b0', 'a1', 'b1']);
  });
});
