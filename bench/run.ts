/**
 * `npm run bench [-- --quick] [-- --only name,name]`: runs every benchmark, shows progress on stderr, and
 * rewrites docs/benchmarks.md, docs/benchmarks.json and the SVG charts from this run.
 */
import 'reflect-metadata';
import path from 'node:path';
import { describeMachine } from './lib/machine';
import { describeProvenance } from './lib/provenance';
import { writeReport } from './lib/report';
import type { BenchResult, Benchmark } from './lib/types';
import { dashboardBenchmark } from './dashboard';
import { mlflowDashboardBenchmark } from './dashboard-mlflow';
import { historyBenchmark } from './history';
import { ingestBenchmark } from './ingest';
import { liveBenchmark } from './live';
import { monitoringBenchmark } from './monitoring';
import { overheadBenchmark } from './overhead';
import { runsTableBenchmark } from './runs-table';

const ALL: Benchmark[] = [dashboardBenchmark, historyBenchmark, ingestBenchmark, overheadBenchmark, liveBenchmark, runsTableBenchmark, monitoringBenchmark, mlflowDashboardBenchmark];

function parseArgs(argv: readonly string[]): { quick: boolean; only: Set<string> | null; docs: string } {
  let quick = false;
  let only: Set<string> | null = null;
  let docs = path.resolve(__dirname, '..', '..', 'docs');
  for (const arg of argv) {
    if (arg === '--quick') quick = true;
    else if (arg.startsWith('--only=')) only = new Set(arg.slice('--only='.length).split(','));
    else if (arg.startsWith('--docs=')) docs = path.resolve(arg.slice('--docs='.length));
    else throw new Error(`unknown argument '${arg}' (use --quick, --only=a,b, --docs=dir)`);
  }
  return { quick, only, docs };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const selected = ALL.filter((b) => !args.only || args.only.has(b.name));
  const started = Date.now();
  const results: BenchResult[] = [];
  for (const [i, bench] of selected.entries()) {
    const prefix = `[${i + 1}/${selected.length}] ${bench.name}`;
    process.stderr.write(`${prefix}: starting\n`);
    let last = 0;
    const result = await bench.run({
      quick: args.quick,
      progress(fraction, message) {
        const now = Date.now();
        if (now - last < 1000 && fraction < 1) return;
        last = now;
        process.stderr.write(`${prefix}: ${Math.round(fraction * 100)}% ${message}\n`);
      },
    });
    const produced = result.tables.reduce((n, t) => n + t.rows.length, 0);
    if (produced === 0) throw new Error(`${bench.name} produced no figures`);
    process.stderr.write(`${prefix}: done (${result.goals.map((g) => `${g.goal}: ${g.met ? 'met' : 'NOT met'}`).join('; ')})\n`);
    results.push(result);
  }
  const command = `npm run bench${args.quick ? ' -- --quick' : ''}`;
  const written = writeReport(args.docs, {
    date: new Date().toISOString(), command, quick: args.quick, machine: describeMachine(), provenance: describeProvenance(), durationSeconds: (Date.now() - started) / 1000,
  }, results);
  process.stderr.write(`wrote ${written.map((f) => path.relative(process.cwd(), f)).join(', ')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
