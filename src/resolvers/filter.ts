/** Turns the GraphQL filter and order arguments into the port's trees, enforcing their size limits. */
import type { ExperimentFilter, ExperimentOrder } from '../backends/port';
import { BadUserInputError, UnreachableCaseError } from '../errors';
import { ExperimentOrderFieldEnum } from '../schema/enums';
import type { ExperimentFilterInput, ExperimentOrderInput } from '../schema/experiment.input';
import * as v from '../services/validate';

export const MAX_FILTER_DEPTH = 8;
export const MAX_FILTER_NODES = 100;
export const MAX_ORDER_KEYS = 5;

export function toPortFilter(input: ExperimentFilterInput): ExperimentFilter {
  let nodes = 0;
  const walk = (f: ExperimentFilterInput, depth: number): ExperimentFilter => {
    if (depth > MAX_FILTER_DEPTH) throw new BadUserInputError(`filter nests deeper than ${MAX_FILTER_DEPTH} levels`, { field: 'filter' });
    const parts: ExperimentFilter[] = [];
    const add = (part: ExperimentFilter) => {
      nodes += 1;
      if (nodes > MAX_FILTER_NODES) throw new BadUserInputError(`filter has more than ${MAX_FILTER_NODES} conditions`, { field: 'filter' });
      parts.push(part);
    };
    if (f.and) add({ and: f.and.map((g) => walk(g, depth + 1)) });
    if (f.or) add({ or: f.or.map((g) => walk(g, depth + 1)) });
    if (f.not) add({ not: walk(f.not, depth + 1) });
    if (f.tag != null) add({ tag: v.name(f.tag, 'filter.tag') });
    if (f.parameter) add({ parameter: { name: v.name(f.parameter.name, 'filter.parameter.name'), op: f.parameter.op, value: v.text(f.parameter.value, 'filter.parameter.value', 1024) } });
    if (f.metric) {
      if (!Number.isFinite(f.metric.value)) throw new BadUserInputError('filter.metric.value must be a finite number', { field: 'filter.metric.value' });
      add({ metric: { name: v.name(f.metric.name, 'filter.metric.name'), aggregate: f.metric.aggregate, op: f.metric.op, value: f.metric.value } });
    }
    if (f.status) add({ status: [...f.status] });
    if (f.nameContains != null) add({ nameContains: v.text(f.nameContains, 'filter.nameContains', 255) });
    if (f.startedAfter != null || f.startedBefore != null) {
      add({ ...(f.startedAfter != null && { startedAfter: f.startedAfter }), ...(f.startedBefore != null && { startedBefore: f.startedBefore }) });
    }
    if (f.archived != null) add({ archived: f.archived });
    if (f.name != null) add({ name: v.text(f.name, 'filter.name', 255) });
    if (f.durationMs) {
      if (!Number.isFinite(f.durationMs.value)) throw new BadUserInputError('filter.durationMs.value must be a finite number', { field: 'filter.durationMs.value' });
      add({ durationMs: { op: f.durationMs.op, value: f.durationMs.value } });
    }
    if (f.endedAfter != null || f.endedBefore != null) {
      add({ ...(f.endedAfter != null && { endedAfter: f.endedAfter }), ...(f.endedBefore != null && { endedBefore: f.endedBefore }) });
    }
    return parts.length === 1 ? parts[0] : { and: parts };
  };
  return walk(input, 1);
}

/** True when the filter says anything about `archived`, so archived experiments must not be hidden first. */
export function mentionsArchived(filter: ExperimentFilter | null): boolean {
  if (!filter) return false;
  if ('archived' in filter) return true;
  if ('and' in filter) return filter.and.some(mentionsArchived);
  if ('or' in filter) return filter.or.some(mentionsArchived);
  if ('not' in filter) return mentionsArchived(filter.not);
  return false;
}

export function toPortOrder(input: readonly ExperimentOrderInput[]): ExperimentOrder[] {
  if (input.length > MAX_ORDER_KEYS) throw new BadUserInputError(`orderBy may hold at most ${MAX_ORDER_KEYS} keys`, { field: 'orderBy' });
  return input.map((o, i): ExperimentOrder => {
    const field = `orderBy[${i}]`;
    switch (o.field) {
      case ExperimentOrderFieldEnum.METRIC:
        if (!o.metric) throw new BadUserInputError(`${field}.metric is required when field is METRIC`, { field });
        return { field: 'METRIC', name: v.name(o.metric, `${field}.metric`), aggregate: o.aggregate, direction: o.direction };
      case ExperimentOrderFieldEnum.PARAMETER:
        if (!o.parameter) throw new BadUserInputError(`${field}.parameter is required when field is PARAMETER`, { field });
        return { field: 'PARAMETER', name: v.name(o.parameter, `${field}.parameter`), direction: o.direction };
      case ExperimentOrderFieldEnum.NAME:
      case ExperimentOrderFieldEnum.STARTED_AT:
      case ExperimentOrderFieldEnum.ENDED_AT:
      case ExperimentOrderFieldEnum.KEY:
      case ExperimentOrderFieldEnum.DURATION:
        return { field: o.field, direction: o.direction };
      default:
        throw new UnreachableCaseError(o.field);
    }
  });
}
