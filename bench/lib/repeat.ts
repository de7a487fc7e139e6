/** Repetitions: every figure a skeptic reads is the median of several runs, shown with its spread. */

export interface Spread {
  median: number;
  min: number;
  max: number;
  /** Every run's value, in run order. */
  runs: number[];
}

export function spreadOf(runs: readonly number[]): Spread {
  if (runs.length === 0) throw new Error('a spread needs at least one run');
  const sorted = [...runs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], runs: [...runs] };
}

/** `median (min–max)` with `digits` decimals. */
export function formatSpread(s: Spread, digits = 0, unit = ''): string {
  const f = (v: number) => v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return `${f(s.median)}${unit} (${f(s.min)}–${f(s.max)})`;
}

/**
 * Runs `measure` for each subject, `repetitions` times, interleaved (a, b, c, a, b, c, …) so a slow phase of
 * the machine falls on every subject alike, not on one.
 */
export async function interleaved<S, R>(subjects: readonly S[], repetitions: number, measure: (subject: S, run: number) => Promise<R>): Promise<R[][]> {
  const results: R[][] = subjects.map(() => []);
  for (let run = 0; run < repetitions; run += 1) {
    for (const [i, subject] of subjects.entries()) results[i].push(await measure(subject, run));
  }
  return results;
}
