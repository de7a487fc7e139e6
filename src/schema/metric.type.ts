import { Field, Int, ObjectType } from 'type-graphql';
import { PageInfo } from './connection.type';
import { DateTimeScalar, SafeIntScalar } from './scalars';

@ObjectType({ description: 'Figures of one metric of one experiment, kept current on every write.' })
export class MetricSummary {
  @Field()
  name!: string;

  @Field(() => String, {
    nullable: true,
    description: "The series' run context, such as `train` or `validate`; null for the default context (points logged without one). " +
      'Where capabilities.metrics.contexts is false, one series holds every context and this is null.',
  })
  context!: string | null;

  @Field(() => Int, { nullable: true, description: 'Stored points; null when the backend cannot tell (Comet).' })
  count!: number | null;

  @Field(() => SafeIntScalar, { nullable: true, description: 'Step of the last point; null when it was logged without one (Comet).' })
  lastStep!: number | null;

  @Field(() => SafeIntScalar, { nullable: true, description: 'Step at which `min` was logged.' })
  minStep!: number | null;

  @Field(() => SafeIntScalar, { nullable: true, description: 'Step at which `max` was logged.' })
  maxStep!: number | null;

  @Field(() => DateTimeScalar, { nullable: true })
  lastTimestamp!: number | null;
}

@ObjectType({ description: 'One logged value of a metric.' })
export class MetricPoint {
  @Field(() => SafeIntScalar, {
    nullable: true,
    description:
      'Step of the point, up to 2^53 − 1. Null when the point was logged without a step (Comet accepts those; ' +
      'they sort before every step and fall outside any `afterStep`/`beforeStep` range).',
  })
  step!: number | null;

  @Field(() => Int, { nullable: true })
  epoch!: number | null;

  @Field(() => DateTimeScalar)
  timestamp!: number;

  @Field(() => String, { nullable: true, description: 'Run context, such as `train` or `validate`.' })
  context!: string | null;
}

@ObjectType({ description: 'Points of one metric: a raw page, or a downsampled series when `samples` was given.' })
export class MetricHistory {
  @Field(() => [MetricPoint])
  points!: MetricPoint[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int, { description: 'Points in the requested step range, before paging or sampling.' })
  totalCount!: number;

  @Field({ description: 'True when the points are a downsampled selection.' })
  sampled!: boolean;
}
