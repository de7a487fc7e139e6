/**
 * Ordering of experiments in the gateway (Comet's listings are unordered and unpaginated, §8), with the
 * SQLite backend's rules: nulls last in either direction, names case-folded (ASCII) then exact, parameters
 * numeric-before-text, NaN metrics with the nulls, and the key as the final tie-breaker.
 */
import { BadUserInputError, UnreachableCaseError } from '../../errors';
import type { Experiment, ExperimentOrder } from '../port';
import type { Needs, RunData } from './filter';
import { durationOf, numericValue } from './filter';

type Sortable = number | string | null;

function cmp(a: Sortable, b: Sortable, desc: boolean): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1; // nulls last, both directions
  const c = a < b ? -1 : a > b ? 1 : 0;
  return desc ? -c : c;
}

const foldAscii = (text: string): string => text.replace(/[A-Z]/g, (c) => c.toLowerCase());

export function orderNeeds(order: readonly ExperimentOrder[] | undefined): Needs {
  return {
    tags: false,
    parameters: (order ?? []).some((o) => o.field === 'PARAMETER'),
    metrics: (order ?? []).some((o) => o.field === 'METRIC'),
  };
}

export function sortExperiments(items: Experiment[], order: readonly ExperimentOrder[] | undefined, data: RunData): Experiment[] {
  for (const o of order ?? []) {
    if (o.direction !== 'ASC' && o.direction !== 'DESC') throw new BadUserInputError(`orderBy direction must be ASC or DESC, got ${JSON.stringify(o.direction)}`);
  }
  const keysOf = (e: Experiment): Sortable[][] => (order ?? []).map((o) => sortValues(e, o, data));
  const cached = new Map(items.map((e) => [e.key, keysOf(e)]));
  return items.sort((a, b) => {
    const ka = cached.get(a.key) ?? [];
    const kb = cached.get(b.key) ?? [];
    for (let i = 0; i < ka.length; i++) {
      const desc = (order ?? [])[i].direction === 'DESC';
      for (let j = 0; j < ka[i].length; j++) {
        const c = cmp(ka[i][j], kb[i][j], desc);
        if (c !== 0) return c;
      }
    }
    return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
  });
}

/** The sort terms of one order key, compared in turn. */
function sortValues(e: Experiment, o: ExperimentOrder, data: RunData): Sortable[] {
  switch (o.field) {
    case 'NAME':
      return [e.name === null ? null : foldAscii(e.name), e.name];
    case 'STARTED_AT':
      return [e.startedAt];
    case 'ENDED_AT':
      return [e.endedAt];
    case 'KEY':
      return [e.key];
    case 'DURATION':
      return [durationOf(e)];
    case 'METRIC': {
      const s = data.summaries(e.key).find((m) => m.name === o.name.trim());
      const v = s === undefined ? null : o.aggregate === 'LAST' ? s.last : o.aggregate === 'MIN' ? s.min : s.max;
      return [v === null || Number.isNaN(v) ? null : v];
    }
    case 'PARAMETER': {
      const p = data.parameters(e.key).find((x) => x.name === o.name.trim());
      if (p === undefined) return [null, null];
      const n = numericValue(p.value);
      // Numeric values first (by number), then text values (by text): value_num then value, as SQLite.
      return n !== null ? [n, p.value] : [null, p.value];
    }
    default:
      throw new UnreachableCaseError(o);
  }
}
