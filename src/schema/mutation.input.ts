/** Inputs of the mutations. Values are validated in the services, which give BAD_USER_INPUT with a reason. */
import { Field, Float, InputType, Int } from 'type-graphql';
import { ExperimentStatusEnum, NonFiniteEnum } from './enums';
import { DateTimeScalar, JSONObjectScalar, JSONScalar, SafeIntScalar } from './scalars';
import { NotifyInput } from './webhook.input';

/**
 * What every mutation input has: an optional idempotency key (src/services/idempotency.ts, README
 * "Idempotency"). type-graphql copies its fields into each subclass; no field uses it, so the schema
 * never shows it as a type of its own.
 */
@InputType()
export abstract class IdempotentInput {
  @Field(() => String, {
    nullable: true,
    description:
      'Makes the call safe to retry: a retry with the same key (and API key) within 24 hours returns the first ' +
      "call's result and stores nothing twice; the same key with another input is BAD_USER_INPUT. 1–255 characters.",
  })
  idempotencyKey?: string | null;
}

@InputType()
export class CreateProjectInput extends IdempotentInput {
  @Field()
  workspace!: string;

  @Field()
  name!: string;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field({ defaultValue: false })
  isPublic!: boolean;
}

@InputType({ description: 'A parameter value: a string, number or boolean (stored as its string form).' })
export class ParameterInput {
  @Field()
  name!: string;

  @Field(() => JSONScalar)
  value!: unknown;
}

@InputType()
export class CreateExperimentInput extends IdempotentInput {
  @Field()
  workspace!: string;

  @Field({ description: 'Project name; the project is created if it does not exist.' })
  project!: string;

  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => [String], { nullable: true })
  tags?: string[] | null;

  @Field(() => [ParameterInput], { nullable: true })
  parameters?: ParameterInput[] | null;

  @Field(() => String, { nullable: true, description: 'Key of the parent run, for nested (child) runs.' })
  parentKey?: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Defaults to now.' })
  startedAt?: number | null;
}

@InputType()
export class EndExperimentInput extends IdempotentInput {
  @Field()
  experimentKey!: string;

  @Field(() => ExperimentStatusEnum, { defaultValue: ExperimentStatusEnum.FINISHED, description: 'Not RUNNING.' })
  status!: ExperimentStatusEnum;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Defaults to now.' })
  endedAt?: number | null;

  @Field(() => NotifyInput, { nullable: true })
  notify?: NotifyInput | null;
}

@InputType({ description: 'One metric value. Give `value`, or `nonFinite` for NaN and ±Infinity.' })
export class MetricPointInput {
  @Field()
  name!: string;

  @Field(() => Float, { nullable: true })
  value?: number | null;

  @Field(() => NonFiniteEnum, { nullable: true })
  nonFinite?: NonFiniteEnum | null;

  @Field(() => SafeIntScalar, { description: 'Integer from 0 to 2^53 − 1 (token counts fit).' })
  step!: number;

  @Field(() => Int, { nullable: true })
  epoch?: number | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Defaults to the time the gateway received it.' })
  timestamp?: number | null;

  @Field(() => String, { nullable: true })
  context?: string | null;
}

@InputType({
  description:
    'One metric as parallel arrays (column form): entry i of each array is one point. Several times cheaper ' +
    'to send and parse than `points` for large batches, e.g. straight from a NumPy array.',
})
export class MetricSeriesInput {
  @Field()
  name!: string;

  @Field(() => [SafeIntScalar], { description: 'Integers from 0 to 2^53 − 1 (token counts fit).' })
  steps!: number[];

  @Field(() => [Float], { nullable: 'items', description: 'Same length as steps; null where `nonFinite` gives the value.' })
  values!: (number | null)[];

  @Field(() => [NonFiniteEnum], { nullable: 'itemsAndList', description: 'Same length as steps when given; null for finite values.' })
  nonFinite?: (NonFiniteEnum | null)[] | null;

  @Field(() => [DateTimeScalar], { nullable: true, description: 'Same length as steps when given; defaults to the time received.' })
  timestamps?: number[] | null;

  @Field(() => [Int], { nullable: 'itemsAndList', description: 'Same length as steps when given.' })
  epochs?: (number | null)[] | null;

  @Field(() => String, { nullable: true, description: 'Context of every point of the series.' })
  context?: string | null;
}

@InputType({ description: 'Give `points`, `series` or both; together at most 10,000 points by default.' })
export class LogMetricsInput extends IdempotentInput {
  @Field()
  experimentKey!: string;

  @Field(() => [MetricPointInput], { nullable: true, description: 'Stored all together or not at all.' })
  points?: MetricPointInput[] | null;

  @Field(() => [MetricSeriesInput], { nullable: true, description: 'The same points in column form, stored in the same transaction as `points`.' })
  series?: MetricSeriesInput[] | null;
}

@InputType()
export class LogParametersInput extends IdempotentInput {
  @Field()
  experimentKey!: string;

  @Field(() => [ParameterInput])
  parameters!: ParameterInput[];
}

@InputType()
export class OtherInput {
  @Field()
  key!: string;

  @Field(() => JSONScalar)
  value!: unknown;
}

@InputType()
export class LogOthersInput extends IdempotentInput {
  @Field()
  experimentKey!: string;

  @Field(() => [OtherInput])
  others!: OtherInput[];
}

@InputType()
export class TagsInput extends IdempotentInput {
  @Field()
  experimentKey!: string;

  @Field(() => [String])
  tags!: string[];
}

@InputType()
export class ExperimentKeyInput extends IdempotentInput {
  @Field()
  experimentKey!: string;
}

@InputType()
export class CreateAssetUploadInput extends IdempotentInput {
  @Field()
  experimentKey!: string;

  @Field({ description: 'A plain file name, optionally with relative folders (`plots/loss.png`); never `..`.' })
  fileName!: string;

  @Field({ defaultValue: 'asset' })
  type!: string;

  @Field(() => SafeIntScalar, { nullable: true, description: 'Integer from 0 to 2^53 − 1.' })
  step?: number | null;

  @Field(() => JSONObjectScalar, { nullable: true })
  metadata?: Record<string, unknown> | null;

  @Field(() => String, { nullable: true, description: 'Group the asset under this experiment model name.' })
  modelName?: string | null;
}

@InputType()
export class RegisterModelInput extends IdempotentInput {
  @Field()
  experimentKey!: string;

  @Field({ description: 'Name of the experiment model (its assets were uploaded with this `modelName`).' })
  experimentModelName!: string;

  @Field({ description: 'Name in the registry.' })
  registryName!: string;

  @Field({ defaultValue: '1.0.0' })
  version!: string;

  @Field(() => String, { nullable: true, description: "Registry workspace; defaults to the experiment's." })
  workspace?: string | null;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field({ defaultValue: false })
  isPublic!: boolean;

  @Field(() => String, { nullable: true })
  comment?: string | null;

  @Field(() => String, { nullable: true })
  stage?: string | null;

  @Field(() => String, { nullable: true })
  status?: string | null;

  @Field(() => [String], { nullable: true })
  tags?: string[] | null;

  @Field({ defaultValue: false, description: 'Also register the same-named models of child runs, recursively.' })
  includeChildren!: boolean;
}

@InputType()
export class UpdateModelVersionInput extends IdempotentInput {
  @Field()
  workspace!: string;

  @Field()
  modelName!: string;

  @Field()
  version!: string;

  @Field(() => String, { nullable: true })
  stage?: string | null;

  @Field(() => String, { nullable: true })
  status?: string | null;

  @Field(() => [String], { nullable: true, description: 'Replaces the tags when given.' })
  tags?: string[] | null;

  @Field(() => String, { nullable: true })
  comment?: string | null;

  @Field(() => [String], { nullable: true, description: 'Point these aliases at this version (moving them if needed).' })
  addAliases?: string[] | null;

  @Field(() => [String], { nullable: true })
  removeAliases?: string[] | null;
}
