/** Inputs of the monitoring mutations: events one by one, or the same in column form. */
import { Field, InputType, ObjectType, Int } from 'type-graphql';
import { WriteStatusEnum } from './enums';
import { DateTimeScalar, JSONObjectScalar, JSONScalar } from './scalars';

@InputType({ description: 'One prediction event. `prediction` holds the outputs: `value` and `probability` by convention.' })
export class PredictionEventInput {
  @Field({ description: 'Unique per model version: a known id merges its fields into the stored event.' })
  predictionId!: string;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When the prediction was made; the time of receipt when absent.' })
  timestamp?: number | null;

  @Field(() => JSONObjectScalar, { nullable: true, description: 'Input features: a flat object of numbers, strings and booleans.' })
  features?: Record<string, unknown> | null;

  @Field(() => JSONObjectScalar, { nullable: true })
  prediction?: Record<string, unknown> | null;

  @Field(() => JSONObjectScalar, { nullable: true })
  labels?: Record<string, unknown> | null;
}

@InputType({ description: 'One named column: entry i belongs to event i (null: the event lacks it).' })
export class ValueColumnInput {
  @Field()
  name!: string;

  @Field(() => [JSONScalar], { nullable: 'items' })
  values!: unknown[];
}

@InputType({ description: 'Events in column form: entry i of every list is event i.' })
export class PredictionColumnsInput {
  @Field(() => [String])
  predictionIds!: string[];

  @Field(() => [DateTimeScalar], { nullable: true })
  timestamps?: number[] | null;

  @Field(() => [ValueColumnInput], { nullable: true })
  features?: ValueColumnInput[] | null;

  @Field(() => [ValueColumnInput], { nullable: true })
  prediction?: ValueColumnInput[] | null;

  @Field(() => [ValueColumnInput], { nullable: true })
  labels?: ValueColumnInput[] | null;
}

@InputType()
export class LogPredictionsInput {
  @Field()
  workspace!: string;

  @Field()
  modelName!: string;

  @Field()
  modelVersion!: string;

  @Field(() => String, { nullable: true, description: 'Makes a retry of this call a no-op answered with the first answer (24 hours).' })
  idempotencyKey?: string | null;

  @Field(() => [PredictionEventInput], { nullable: true })
  events?: PredictionEventInput[] | null;

  @Field(() => PredictionColumnsInput, { nullable: true })
  columns?: PredictionColumnsInput | null;
}

@InputType({ description: 'Labels for a prediction, by its id; the prediction may come later.' })
export class LabelEventInput {
  @Field()
  predictionId!: string;

  @Field(() => DateTimeScalar, { nullable: true })
  timestamp?: number | null;

  @Field(() => JSONObjectScalar)
  labels!: Record<string, unknown>;
}

@InputType()
export class LogLabelsInput {
  @Field()
  workspace!: string;

  @Field()
  modelName!: string;

  @Field()
  modelVersion!: string;

  @Field(() => String, { nullable: true })
  idempotencyKey?: string | null;

  @Field(() => [LabelEventInput])
  labels!: LabelEventInput[];
}

@ObjectType()
export class LogPredictionsPayload {
  @Field(() => Int, { description: 'Events stored (or queued) by this call.' })
  accepted!: number;

  @Field(() => WriteStatusEnum)
  status!: WriteStatusEnum;
}

@ObjectType()
export class LogLabelsPayload extends LogPredictionsPayload {}
