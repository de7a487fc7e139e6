/** Arguments for experiment lists: a composable filter tree and a multi-key order. */
import { Field, Float, InputType } from 'type-graphql';
import {
  ComparisonEnum, ExperimentOrderFieldEnum, ExperimentStatusEnum, MetricAggregateEnum, SortDirectionEnum,
} from './enums';
import { DateTimeScalar } from './scalars';

@InputType({ description: 'Compares a parameter: numerically when both sides are numbers, as strings otherwise.' })
export class ParameterFilterInput {
  @Field()
  name!: string;

  @Field(() => ComparisonEnum, { defaultValue: ComparisonEnum.EQ })
  op!: ComparisonEnum;

  @Field()
  value!: string;
}

@InputType({ description: 'Compares a figure of a metric summary, e.g. `{name: "loss", op: LT, value: 0.1}`.' })
export class MetricFilterInput {
  @Field()
  name!: string;

  @Field(() => MetricAggregateEnum, { defaultValue: MetricAggregateEnum.LAST })
  aggregate!: MetricAggregateEnum;

  @Field(() => ComparisonEnum)
  op!: ComparisonEnum;

  @Field(() => Float)
  value!: number;
}

@InputType({ description: 'A comparison with a number.' })
export class NumberFilterInput {
  @Field(() => ComparisonEnum)
  op!: ComparisonEnum;

  @Field(() => Float)
  value!: number;
}

@InputType({
  description:
    'Selects experiments. Every field set in one object must hold (AND); use `or` and `not` for the rest. ' +
    'Nest at most 8 levels deep.',
})
export class ExperimentFilterInput {
  @Field(() => [ExperimentFilterInput], { nullable: true, description: 'All of these hold.' })
  and?: ExperimentFilterInput[] | null;

  @Field(() => [ExperimentFilterInput], { nullable: true, description: 'At least one of these holds.' })
  or?: ExperimentFilterInput[] | null;

  @Field(() => ExperimentFilterInput, { nullable: true, description: 'This does not hold.' })
  not?: ExperimentFilterInput | null;

  @Field(() => String, { nullable: true, description: 'Has this tag.' })
  tag?: string | null;

  @Field(() => ParameterFilterInput, { nullable: true })
  parameter?: ParameterFilterInput | null;

  @Field(() => MetricFilterInput, { nullable: true })
  metric?: MetricFilterInput | null;

  @Field(() => [ExperimentStatusEnum], { nullable: true, description: 'Status is one of these.' })
  status?: ExperimentStatusEnum[] | null;

  @Field(() => String, { nullable: true, description: 'Name contains this text (case-insensitive).' })
  nameContains?: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Started after this time (exclusive).' })
  startedAfter?: number | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Started before this time (exclusive).' })
  startedBefore?: number | null;

  @Field(() => Boolean, { nullable: true, description: 'Archived state; archived experiments are hidden unless asked for.' })
  archived?: boolean | null;

  @Field(() => String, { nullable: true, description: 'Name is exactly this.' })
  name?: string | null;

  @Field(() => NumberFilterInput, { nullable: true, description: 'Compares `durationMs` (end minus start, or now minus start while running).' })
  durationMs?: NumberFilterInput | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Ended after this time (exclusive); runs without an end never match.' })
  endedAfter?: number | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Ended before this time (exclusive); runs without an end never match.' })
  endedBefore?: number | null;
}

@InputType({ description: 'One sort key. Several keys apply in order; the experiment key breaks remaining ties.' })
export class ExperimentOrderInput {
  @Field(() => ExperimentOrderFieldEnum)
  field!: ExperimentOrderFieldEnum;

  @Field(() => SortDirectionEnum, { defaultValue: SortDirectionEnum.ASC })
  direction!: SortDirectionEnum;

  @Field(() => String, { nullable: true, description: 'Metric name, for field METRIC.' })
  metric?: string | null;

  @Field(() => MetricAggregateEnum, { defaultValue: MetricAggregateEnum.LAST })
  aggregate!: MetricAggregateEnum;

  @Field(() => String, { nullable: true, description: 'Parameter name, for field PARAMETER.' })
  parameter?: string | null;
}
