/** What every benchmark reports. Figures are measured in the run that writes them; none is typed by hand. */

export interface Figure {
  /** What was measured, e.g. "TrackQL cold". */
  label: string;
  /** Column values; numbers are formatted by the report. */
  values: Record<string, number | string | null>;
}

export interface Table {
  title: string;
  /** Column names in display order (keys of `Figure.values`). */
  columns: string[];
  rows: Figure[];
  /** One-line reading of the table: the ratio and whether the goal is met. */
  verdict?: string;
}

export interface Series {
  name: string;
  points: { x: number; y: number }[];
}

export interface Chart {
  file: string;
  title: string;
  xLabel: string;
  yLabel: string;
  logX?: boolean;
  series: Series[];
}

export interface BenchResult {
  name: string;
  title: string;
  /** How the benchmark was set up (sizes, latency, writers). */
  setup: string;
  tables: Table[];
  charts?: Chart[];
  /** Goals of the benchmark and whether this run met them. */
  goals: { goal: string; met: boolean; measured: string }[];
  notes?: string[];
  /** How many times each figure was measured (the tables show the median and the spread of these runs). */
  repetitions: number;
  /** Every run's raw numbers, for the JSON: a skeptic recomputes the medians from them. */
  raw?: Record<string, unknown>;
}

export interface BenchContext {
  quick: boolean;
  /** Reports progress of the running benchmark (fraction 0..1 and a short message). */
  progress(fraction: number, message: string): void;
}

export interface Benchmark {
  name: string;
  title: string;
  run(ctx: BenchContext): Promise<BenchResult>;
}
