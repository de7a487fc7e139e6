/** Validation of logged metric points, all before any is written (a batch is stored whole or not at all). */
import { BadUserInputError } from '../../errors';
import { contextOf, type MetricPointInput } from '../port';
import { MAX_NAME_LENGTH } from './validate';

export interface ValidPoint {
  name: string;
  value: number;
  step: number;
  epoch: number | null;
  timestamp: number;
  context: string | null;
}

function invalid(index: number, what: string, got: unknown): never {
  throw new BadUserInputError(`points[${index}].${what}, got ${JSON.stringify(got) ?? String(got)}`, { index });
}

/** Checks every point; `now` stands in for a missing timestamp. */
export function validatePoints(points: readonly MetricPointInput[], now: number): ValidPoint[] {
  if (!Array.isArray(points)) throw new BadUserInputError('points must be a list');
  const valid: ValidPoint[] = new Array(points.length);
  for (let index = 0; index < points.length; index++) {
    const point = points[index];
    if (point === null || typeof point !== 'object') invalid(index, 'must be an object', point);
    const { name, value, step, epoch, timestamp, context } = point;
    if (typeof name !== 'string' || name.trim() === '' || name.length > MAX_NAME_LENGTH) {
      invalid(index, `name must be a non-empty string of at most ${MAX_NAME_LENGTH} characters`, name);
    }
    // NaN and ±Infinity are legitimate values (a diverging loss); anything not a number is not.
    if (typeof value !== 'number') invalid(index, 'value must be a number (NaN and ±Infinity allowed)', value);
    if (!Number.isSafeInteger(step)) invalid(index, 'step must be an integer', step);
    if (epoch !== null && epoch !== undefined && !Number.isSafeInteger(epoch)) {
      invalid(index, 'epoch must be an integer or null', epoch);
    }
    if (timestamp !== null && timestamp !== undefined && !(Number.isSafeInteger(timestamp) && timestamp >= 0)) {
      invalid(index, 'timestamp must be Unix milliseconds (a non-negative integer) or null', timestamp);
    }
    if (context !== null && context !== undefined && (typeof context !== 'string' || context.length > MAX_NAME_LENGTH)) {
      invalid(index, `context must be a string of at most ${MAX_NAME_LENGTH} characters, or null`, context);
    }
    const trimmed = name.trim();
    const kept = contextOf(context);
    // A point the service layer already normalised is kept as it is: no second object per point.
    valid[index] = trimmed === name && epoch !== undefined && timestamp != null && kept === (context ?? null)
      ? point as ValidPoint
      : { name: trimmed, value, step, epoch: epoch ?? null, timestamp: timestamp ?? now, context: kept };
  }
  return valid;
}
