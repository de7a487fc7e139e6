/** Production monitoring: enums, predictions, buckets and distributions of a model version. */
import { Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Connection } from './connection.type';
import { DateTimeScalar, JSONObjectScalar } from './scalars';

export enum IntervalEnum {
  MINUTE = 'MINUTE',
  HOUR = 'HOUR',
  DAY = 'DAY',
}
registerEnumType(IntervalEnum, { name: 'Interval', description: 'Width of a time bucket; buckets are aligned to it in UTC.' });

export enum FeatureSourceEnum {
  INPUT = 'INPUT',
  OUTPUT = 'OUTPUT',
  LABEL = 'LABEL',
}
registerEnumType(FeatureSourceEnum, { name: 'FeatureSource', description: 'Where a monitored value comes from: input features, the prediction (outputs), or labels.' });

export enum FeatureTypeEnum {
  NUMERICAL = 'NUMERICAL',
  CATEGORICAL = 'CATEGORICAL',
}
registerEnumType(FeatureTypeEnum, { name: 'FeatureType', description: 'Inferred when a feature is first logged: numbers are numerical; strings and booleans categorical.' });

export enum DriftAlgorithmEnum {
  PSI = 'PSI',
  KL = 'KL',
  EMD = 'EMD',
}
registerEnumType(DriftAlgorithmEnum, {
  name: 'DriftAlgorithm',
  description: 'Population stability index, Kullback-Leibler divergence of the window from the reference, or earth mover\'s distance (numerical features).',
});

export enum DriftReferenceEnum {
  REFERENCE_DATA = 'REFERENCE_DATA',
  FIRST_WINDOW = 'FIRST_WINDOW',
}
registerEnumType(DriftReferenceEnum, { name: 'DriftReference', description: 'What drift is measured against: the logged reference data, or the first bucket that holds data.' });

export enum LabelMetricEnum {
  ACCURACY = 'ACCURACY',
  PRECISION = 'PRECISION',
  RECALL = 'RECALL',
  F1 = 'F1',
  MAE = 'MAE',
  RMSE = 'RMSE',
}
registerEnumType(LabelMetricEnum, { name: 'LabelMetric', description: 'A metric of predictions against their labels (see docs/monitoring.md for each formula).' });

@ObjectType({ description: 'One logged prediction, with the labels that arrived for it.' })
export class Prediction {
  @Field()
  predictionId!: string;

  @Field(() => DateTimeScalar)
  timestamp!: number;

  @Field(() => JSONObjectScalar)
  features!: Record<string, unknown>;

  @Field(() => JSONObjectScalar)
  prediction!: Record<string, unknown>;

  @Field(() => JSONObjectScalar)
  labels!: Record<string, unknown>;
}

@ObjectType()
export class PredictionConnection extends Connection(Prediction, 'Prediction') {}

@ObjectType({ description: 'A figure over one time bucket [start, start + interval).' })
export class TimeBucket {
  @Field(() => DateTimeScalar)
  start!: number;

  @Field(() => Float)
  value!: number;

  @Field(() => Int, { description: 'Events the value was computed from.' })
  count!: number;
}

@ObjectType({ description: 'A bin of a numerical distribution: [start, end); the first and last bins also hold the values beyond them.' })
export class Bin {
  @Field(() => Float)
  start!: number;

  @Field(() => Float)
  end!: number;

  @Field(() => Int)
  count!: number;
}

@ObjectType()
export class CategoryCount {
  @Field()
  value!: string;

  @Field(() => Int)
  count!: number;
}

@ObjectType()
export class Percentiles {
  @Field(() => Float)
  min!: number;

  @Field(() => Float)
  p25!: number;

  @Field(() => Float)
  p50!: number;

  @Field(() => Float)
  p75!: number;

  @Field(() => Float)
  p95!: number;

  @Field(() => Float)
  max!: number;
}

@ObjectType({ description: 'The distribution of one feature over a window: bins (numerical) or categories (categorical).' })
export class Distribution {
  @Field(() => FeatureTypeEnum)
  type!: FeatureTypeEnum;

  @Field(() => [Bin])
  bins!: Bin[];

  @Field(() => [CategoryCount], { description: 'Most frequent first.' })
  categories!: CategoryCount[];

  @Field(() => Percentiles, { nullable: true, description: 'Null for a categorical feature, or where the backend cannot tell.' })
  percentiles!: Percentiles | null;

  @Field(() => Int, { description: 'Predictions of the window without this feature.' })
  missing!: number;
}

@ObjectType()
export class MonitoredFeature {
  @Field()
  name!: string;

  @Field(() => FeatureSourceEnum)
  source!: FeatureSourceEnum;

  @Field(() => FeatureTypeEnum)
  type!: FeatureTypeEnum;
}

@ObjectType({ description: 'What the backend does with production monitoring.' })
export class MonitoringCapabilities {
  @Field({ description: 'Predictions can be logged and aggregated at all (false: every monitoring call is refused).' })
  supported!: boolean;

  @Field({ description: 'ModelVersion.predictions lists individual events.' })
  listPredictions!: boolean;

  @Field({ description: 'logReferenceData is taken.' })
  referenceData!: boolean;

  @Field({ description: 'featureDrift takes reference: FIRST_WINDOW.' })
  firstWindowDrift!: boolean;

  @Field({ description: 'ModelVersion.labelMetric is computed.' })
  labelMetrics!: boolean;
}

@ObjectType({ description: 'Predictions just logged to a model version: how many, and the range of their timestamps.' })
export class PredictionBatchEvent {
  @Field()
  workspace!: string;

  @Field()
  modelName!: string;

  @Field()
  modelVersion!: string;

  @Field(() => Int, { description: 'Predictions in the batch (batches merge when the subscriber reads slowly).' })
  count!: number;

  @Field(() => DateTimeScalar)
  from!: number;

  @Field(() => DateTimeScalar)
  to!: number;
}
