/** Writes docs/benchmarks.md, docs/benchmarks.json and the charts from one run's results. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Machine } from './machine';
import type { Provenance } from './provenance';
import { renderChart } from './svg';
import type { BenchResult, Table } from './types';

export interface RunInfo {
  date: string;
  command: string;
  quick: boolean;
  machine: Machine;
  provenance: Provenance;
  durationSeconds: number;
}

function cell(value: number | string | null | undefined): string {
  if (value === null || value === undefined) return '–';
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  const abs = Math.abs(value);
  return abs >= 100 ? value.toFixed(0) : abs >= 1 ? value.toFixed(2) : value.toPrecision(2);
}

function table(t: Table): string {
  const head = `| | ${t.columns.join(' | ')} |`;
  const sep = `|---|${t.columns.map(() => '---:').join('|')}|`;
  const rows = t.rows.map((r) => `| ${r.label} | ${t.columns.map((c) => cell(r.values[c])).join(' | ')} |`);
  return [`**${t.title}**`, '', head, sep, ...rows, ...(t.verdict ? ['', t.verdict] : [])].join('\n');
}

export function writeReport(docsDir: string, info: RunInfo, results: BenchResult[]): string[] {
  mkdirSync(docsDir, { recursive: true });
  const written: string[] = [];
  const m = info.machine;
  const lines: string[] = [
    '# Benchmarks',
    '',
    'Every figure below was measured by `npm run bench` in the run described here, on this machine; every',
    'comparison is a ratio against a baseline measured in the same run (absolute times on shared machines',
    'are noise). Raw results: [`benchmarks.json`](benchmarks.json).',
    '',
    `- **Date:** ${info.date}`,
    `- **Commit:** \`${info.provenance.commit}\`${info.provenance.dirty ? ' with uncommitted changes' : ''}`,
    `- **Command:** \`${info.command}\`${info.quick ? ' (quick mode: small sizes)' : ''}`,
    `- **Machine:** ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.platform}`,
    `- **Node.js:** ${m.node}`,
    `- **Run time:** ${Math.round(info.durationSeconds)} s`,
    `- **Repetitions:** ${results.map((r) => `${r.title} ${r.repetitions}`).join(', ')} (a figure of several runs is their median, with their range)`,
    '',
    '## Goals',
    '',
    '| Benchmark | Goal | Measured | Met |',
    '|---|---|---|:-:|',
    ...results.flatMap((r) => r.goals.map((g) => `| ${r.title} | ${g.goal} | ${g.measured} | ${g.met ? 'yes' : '**no**'} |`)),
    '',
  ];
  for (const r of results) {
    lines.push(`## ${r.title}`, '', r.setup, '');
    for (const t of r.tables) lines.push(table(t), '');
    for (const c of r.charts ?? []) {
      writeFileSync(path.join(docsDir, c.file), renderChart(c));
      written.push(path.join(docsDir, c.file));
      lines.push(`![${c.title}](${c.file})`, '');
    }
    for (const n of r.notes ?? []) lines.push(`- ${n}`);
    if (r.notes?.length) lines.push('');
  }
  const md = path.join(docsDir, 'benchmarks.md');
  writeFileSync(md, `${lines.join('\n').trimEnd()}\n`);
  const json = path.join(docsDir, 'benchmarks.json');
  writeFileSync(json, `${JSON.stringify({ ...info, results }, null, 2)}\n`);
  written.push(md, json);
  return written;
}
