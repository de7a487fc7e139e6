/**
 * The limits of the port, declared once: the schema's argument defaults and descriptions, the resolvers'
 * checks and every backend's guard read them from here, with the same words in the error.
 */
import { BadUserInputError } from '../../errors';
import type { MetricHistoryRequest } from './metrics';

/** Items per page of a listing when `first` is absent (GraphQL default). */
export const DEFAULT_PAGE_SIZE = 50;
/** Largest page of a listing. */
export const MAX_PAGE_SIZE = 1_000;
/** Points per raw history page when `first` is absent. */
export const DEFAULT_HISTORY_PAGE = 1_000;
/** Largest raw history page. */
export const MAX_HISTORY_PAGE = 10_000;
/** Largest `samples` a history request may ask for. */
export const MAX_SAMPLES = 10_000;

/** `value` when it is an integer from `min` to `max`; BAD_USER_INPUT naming `field` otherwise. */
export function checkCount(value: number, min: number, max: number, field: string): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new BadUserInputError(`${field} must be an integer from ${min} to ${max}, got ${value}`, { field });
  }
  return value;
}

/** The size of a listing page. */
export function checkPageSize(first: number): number {
  return checkCount(first, 0, MAX_PAGE_SIZE, 'first');
}

/** The checked numbers of a history request: `samples` (null for raw pages) and the raw page size. */
export function checkHistoryRequest(request: Pick<MetricHistoryRequest, 'afterStep' | 'beforeStep' | 'first' | 'samples'>): { samples: number | null; first: number } {
  for (const field of ['afterStep', 'beforeStep'] as const) {
    const value = request[field];
    if (value !== null && value !== undefined && !Number.isSafeInteger(value)) {
      throw new BadUserInputError(`${field} must be an integer, got ${value}`, { field });
    }
  }
  const samples = request.samples ?? null;
  if (samples !== null) return { samples: checkCount(samples, 1, MAX_SAMPLES, 'samples'), first: 0 };
  return { samples: null, first: checkCount(request.first ?? DEFAULT_HISTORY_PAGE, 0, MAX_HISTORY_PAGE, 'first') };
}

/**
 * For a backend that keeps one series per metric name (`capabilities().metrics.contexts` false): a read
 * naming a context other than the default is refused, never answered with every context's points.
 */
export function checkDefaultContext(context: string | null | undefined, backend: string): void {
  if (context === null || context === undefined || context.trim() === '') return;
  throw new BadUserInputError(
    `Metric contexts are not kept apart on the ${backend} backend (capabilities.metrics.contexts is false): read without a context`,
    { field: 'context', reason: 'UNSUPPORTED' },
  );
}
