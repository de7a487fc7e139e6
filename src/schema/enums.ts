/** Enums of the public schema. Values mirror the port's string unions one to one. */
import { registerEnumType } from 'type-graphql';

export enum ExperimentStatusEnum {
  RUNNING = 'RUNNING',
  FINISHED = 'FINISHED',
  FAILED = 'FAILED',
  CRASHED = 'CRASHED',
}
registerEnumType(ExperimentStatusEnum, { name: 'ExperimentStatus', description: 'Lifecycle state of an experiment.' });

export enum NonFiniteEnum {
  NAN = 'NAN',
  INFINITY = 'INFINITY',
  NEGATIVE_INFINITY = 'NEGATIVE_INFINITY',
}
registerEnumType(NonFiniteEnum, {
  name: 'NonFinite',
  description: 'A metric value JSON cannot carry as a number. Where a value field is null, its `nonFinite` twin says which.',
});

export enum ComparisonEnum {
  EQ = 'EQ',
  NE = 'NE',
  LT = 'LT',
  LTE = 'LTE',
  GT = 'GT',
  GTE = 'GTE',
}
registerEnumType(ComparisonEnum, { name: 'Comparison' });

export enum MetricAggregateEnum {
  LAST = 'LAST',
  MIN = 'MIN',
  MAX = 'MAX',
}
registerEnumType(MetricAggregateEnum, { name: 'MetricAggregate', description: 'Which figure of a metric summary to use.' });

export enum SortDirectionEnum {
  ASC = 'ASC',
  DESC = 'DESC',
}
registerEnumType(SortDirectionEnum, { name: 'SortDirection' });

export enum ExperimentOrderFieldEnum {
  NAME = 'NAME',
  STARTED_AT = 'STARTED_AT',
  ENDED_AT = 'ENDED_AT',
  KEY = 'KEY',
  METRIC = 'METRIC',
  PARAMETER = 'PARAMETER',
  DURATION = 'DURATION',
}
registerEnumType(ExperimentOrderFieldEnum, {
  name: 'ExperimentOrderField',
  description: 'METRIC needs `metric` (and optionally `aggregate`); PARAMETER needs `parameter`.',
  valuesConfig: { DURATION: { description: 'By `durationMs`: end minus start, or now minus start while running.' } },
});

export enum WriteStatusEnum {
  ACCEPTED = 'ACCEPTED',
  QUEUED = 'QUEUED',
}
registerEnumType(WriteStatusEnum, {
  name: 'WriteStatus',
  description: 'ACCEPTED: stored by the backend. QUEUED: held by the gateway (the durable outbox), delivered when the backend recovers; what the backend then refuses for good is kept as a dead letter (`deadLetters`).',
});
