/**
 * The figures of production monitoring, as pure functions: deterministic bins, drift between two binned
 * distributions (PSI, KL, EMD), and label metrics. Documented in docs/monitoring.md with the same formulas, so a
 * client can recompute any figure from `featureDistribution`.
 */
import { BadUserInputError } from '../../errors';
import type { DriftAlgorithm, FeatureValue, LabelMetric } from '../port';

/** Bins of a numerical feature. */
export const BIN_COUNT = 10;
/**
 * Proportions below this are raised to it before a logarithm (an empty bin would make PSI and KL infinite):
 * the usual floor for PSI (0.01%).
 */
export const PROPORTION_FLOOR = 1e-4;

/**
 * `BIN_COUNT + 1` equal-width edges over [min, max] of `values`. A single value gets a bin of width 1 around it.
 * Values outside the edges count in the first or last bin (see `binOf`).
 */
export function binEdges(values: readonly number[]): number[] {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!(min <= max)) throw new Error('binEdges needs at least one value');
  if (min === max) {
    min -= 0.5;
    max += 0.5;
  }
  const width = (max - min) / BIN_COUNT;
  return Array.from({ length: BIN_COUNT + 1 }, (_, i) => (i === BIN_COUNT ? max : min + i * width));
}

/** Index of the bin `value` falls in: [edge i, edge i+1), the outer bins open-ended. */
export function binOf(edges: readonly number[], value: number): number {
  const last = edges.length - 2;
  // Linear: ten edges; a binary search costs more than it saves here.
  for (let i = 1; i <= last; i += 1) if (value < edges[i]) return i - 1;
  return last;
}

/** The same bin assignment as a SQL expression over `column` (for rebuilding rollups in one statement). */
export function binSql(edges: readonly number[], column: string): string {
  const cases = edges.slice(1, -1).map((edge, i) => `WHEN ${column} < ${edge} THEN ${i}`).join(' ');
  return `CASE ${cases} ELSE ${edges.length - 2} END`;
}

/** Mass at one point: a bin (or category) of one distribution, at the mean of its values. */
export interface Atom {
  key: string;
  count: number;
  /** Mean of the values (numerical only); EMD places the mass here. */
  mean?: number;
}

function proportions(atoms: readonly Atom[], keys: readonly string[]): number[] {
  const total = atoms.reduce((n, a) => n + a.count, 0);
  const byKey = new Map(atoms.map((a) => [a.key, a.count]));
  return keys.map((k) => Math.max(PROPORTION_FLOOR, total > 0 ? (byKey.get(k) ?? 0) / total : 0));
}

/**
 * Drift of `current` from `reference`:
 * - PSI = Σ (c_i − r_i) · ln(c_i / r_i)
 * - KL  = Σ c_i · ln(c_i / r_i)   (KL(current ‖ reference))
 * over the union of bins or categories, proportions floored at PROPORTION_FLOOR;
 * - EMD = ∫ |F_current(x) − F_reference(x)| dx, each bin's mass at the mean of its values (exact when a bin
 *   holds one distinct value); numerical features only.
 */
export function drift(algorithm: DriftAlgorithm, current: readonly Atom[], reference: readonly Atom[]): number {
  if (algorithm === 'EMD') return emd(current, reference);
  const keys = [...new Set([...current.map((a) => a.key), ...reference.map((a) => a.key)])].sort();
  const c = proportions(current, keys);
  const r = proportions(reference, keys);
  let sum = 0;
  for (let i = 0; i < keys.length; i += 1) sum += algorithm === 'PSI' ? (c[i] - r[i]) * Math.log(c[i] / r[i]) : c[i] * Math.log(c[i] / r[i]);
  return sum;
}

function emd(current: readonly Atom[], reference: readonly Atom[]): number {
  const totalC = current.reduce((n, a) => n + a.count, 0);
  const totalR = reference.reduce((n, a) => n + a.count, 0);
  if (totalC === 0 || totalR === 0) return 0;
  const points: { x: number; dc: number; dr: number }[] = [];
  for (const a of current) if (a.count > 0) points.push({ x: mean(a), dc: a.count / totalC, dr: 0 });
  for (const a of reference) if (a.count > 0) points.push({ x: mean(a), dc: 0, dr: a.count / totalR });
  points.sort((a, b) => a.x - b.x);
  let fc = 0;
  let fr = 0;
  let sum = 0;
  for (let i = 0; i < points.length; i += 1) {
    fc += points[i].dc;
    fr += points[i].dr;
    if (i + 1 < points.length) sum += Math.abs(fc - fr) * (points[i + 1].x - points[i].x);
  }
  return sum;
}

function mean(a: Atom): number {
  if (a.mean === undefined) throw new BadUserInputError('EMD is defined for numerical features only: use PSI or KL for a categorical one', { field: 'algorithm' });
  return a.mean;
}

/** Value at quantile q (0–1) of sorted `values`, linearly interpolated. */
export function quantile(sorted: Float64Array, q: number): number {
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

/** A pair of one prediction's output and its label. */
export interface Labelled {
  output: FeatureValue;
  label: FeatureValue;
}

const POSITIVE = new Set(['1', 'true']);
const BINARY = new Set(['0', '1', 'true', 'false']);

/**
 * ACCURACY: share of outputs equal to their label. PRECISION, RECALL, F1: binary when every class is 0/1 or
 * true/false (positive: 1 or true), else macro-averaged over the classes seen. MAE, RMSE: numerical outputs
 * and labels. Null when no pair can be used (e.g. MAE over categories).
 */
export function labelMetric(metric: LabelMetric, pairs: readonly Labelled[]): number | null {
  if (pairs.length === 0) return null;
  switch (metric) {
    case 'ACCURACY':
      return pairs.filter((p) => String(p.output) === String(p.label)).length / pairs.length;
    case 'MAE':
    case 'RMSE': {
      const diffs = pairs.filter((p) => typeof p.output === 'number' && typeof p.label === 'number').map((p) => (p.output as number) - (p.label as number));
      if (diffs.length === 0) return null;
      return metric === 'MAE' ? diffs.reduce((s, d) => s + Math.abs(d), 0) / diffs.length : Math.sqrt(diffs.reduce((s, d) => s + d * d, 0) / diffs.length);
    }
    case 'PRECISION':
    case 'RECALL':
    case 'F1': {
      const labels = pairs.map((p) => ({ o: String(p.output), l: String(p.label) }));
      const classes = [...new Set(labels.flatMap((p) => [p.o, p.l]))];
      const binary = classes.every((c) => BINARY.has(c));
      const scored = binary ? ['positive'] : classes;
      const isClass = (value: string, cls: string) => (binary ? POSITIVE.has(value) : value === cls);
      const scores = scored.map((cls) => {
        let tp = 0;
        let fp = 0;
        let fn = 0;
        for (const p of labels) {
          const o = isClass(p.o, cls);
          const l = isClass(p.l, cls);
          if (o && l) tp += 1;
          else if (o) fp += 1;
          else if (l) fn += 1;
        }
        const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
        const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
        if (metric === 'PRECISION') return precision;
        if (metric === 'RECALL') return recall;
        return precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
      });
      return scores.reduce((s, x) => s + x, 0) / scores.length;
    }
    default: {
      const unknown: never = metric;
      throw new BadUserInputError(`unknown label metric ${String(unknown)}`);
    }
  }
}
