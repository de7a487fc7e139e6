/**
 * Metric values on the wire. Comet returns them as strings (§1 "Request and response bodies"), and JSON has
 * no NaN or Infinity, so non-finite values travel as their spelling. Reading accepts every spelling seen in
 * Python and Java clients; writing sends finite values as numbers and the rest as "NaN", "Infinity" and
 * "-Infinity" (the form JavaScript and Java print; the reference does not say which Comet stores, so the
 * most common one is sent).
 */
import { NON_FINITE_SPELLINGS } from './protocol';
import { ShapeError } from './json';

const NAN: ReadonlySet<string> = new Set(NON_FINITE_SPELLINGS.nan);
const INF: ReadonlySet<string> = new Set(NON_FINITE_SPELLINGS.inf);
const NEG_INF: ReadonlySet<string> = new Set(NON_FINITE_SPELLINGS.negInf);

/** A metric value from a number or a string; NaN and ±Infinity spellings included. */
export function parseMetricValue(raw: unknown, where: string): number {
  if (typeof raw === 'number') return raw;
  if (typeof raw === 'string') {
    const text = raw.trim();
    if (NAN.has(text)) return Number.NaN;
    if (INF.has(text)) return Number.POSITIVE_INFINITY;
    if (NEG_INF.has(text)) return Number.NEGATIVE_INFINITY;
    const n = Number(text);
    if (text !== '' && !Number.isNaN(n)) return n;
  }
  // A null value (Comet keeps none for a never-logged min/max) reads as NaN: "no value", like the port's NaN.
  if (raw === null || raw === undefined) return Number.NaN;
  throw new ShapeError(where, `expected a metric value, got ${JSON.stringify(raw)?.slice(0, 40)}`);
}

/** A metric value for a write body. */
export function metricValueForWire(value: number): number | string {
  if (Number.isFinite(value)) return value;
  if (Number.isNaN(value)) return 'NaN';
  return value > 0 ? 'Infinity' : '-Infinity';
}
