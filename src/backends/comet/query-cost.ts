/**
 * What one experiment listing may spend. Sorting or filtering by a metric needs the summary of every
 * candidate run, and Comet has no bulk summary read (docs: comet-rest-v2 "Gaps"; the design's "no bulk
 * metric-summary read"): one call per run. A 10,000-run project would spend two thirds of a key's hourly
 * budget on a single page, and every other read of that key would be RATE_LIMITED for the rest of the hour.
 * So a listing whose estimate passes a share of the hourly budget is refused before those calls are made.
 */
import { QueryTooComplexError } from '../../errors';
import type { ExperimentFilter } from '../port';

export interface QueryCostLimit {
  /** The key's hourly call budget (TRACKQL_COMET_BUDGET_PER_HOUR). */
  budgetPerHour: number;
  /** Largest share of it one listing may spend (TRACKQL_COMET_QUERY_BUDGET_SHARE), in (0, 1]. */
  share: number;
}

export function maxQueryCalls(limit: QueryCostLimit): number {
  return Math.max(1, Math.floor(limit.budgetPerHour * limit.share));
}

/** Refuses with QUERY_TOO_COMPLEX when reading `runs` summaries would pass the limit; the estimate goes in `extensions`. */
export function checkSummaryCalls(runs: number, limit: QueryCostLimit, why: string): void {
  const maxCalls = maxQueryCalls(limit);
  if (runs <= maxCalls) return;
  throw new QueryTooComplexError(
    `${why} reads the metric summary of each of ${runs} runs, ${runs} Comet calls; one listing may spend at most ${maxCalls} ` +
      `(TRACKQL_COMET_QUERY_BUDGET_SHARE ${limit.share} of ${limit.budgetPerHour} calls per hour). ` +
      'Narrow the filter with a tag or a numeric parameter (Comet evaluates those itself), or sort by another field.',
    { estimatedCalls: runs, maxCalls, budgetPerHour: limit.budgetPerHour, budgetShare: limit.share, setting: 'TRACKQL_COMET_QUERY_BUDGET_SHARE' },
  );
}

/**
 * Whether `project/query` may narrow the candidates: a tag or parameter rule at the top level of the filter
 * (filter.ts `splitFilter` pushes only those). Without one, every listed run is a candidate, so the run
 * count alone is the estimate.
 */
export function mayNarrow(filter: ExperimentFilter | null): boolean {
  if (!filter) return false;
  const leaves = 'and' in filter ? filter.and : [filter];
  return leaves.some((leaf) => 'tag' in leaf || 'parameter' in leaf);
}
