/** What a model version knows of its production life: predictions, counts, distributions, drift, label metrics. */
import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import { DEFAULT_PAGE_SIZE, checkPageSize, type ModelVersion as VersionData, type ModelVersionRef } from '../backends/port';
import { toConnection } from '../schema/connection.type';
import { ModelVersion } from '../schema/model.type';
import {
  Distribution, DriftAlgorithmEnum, DriftReferenceEnum, FeatureSourceEnum, IntervalEnum, LabelMetricEnum, MonitoredFeature, PredictionConnection,
  TimeBucket,
} from '../schema/monitoring.type';
import { DateTimeScalar } from '../schema/scalars';
import * as v from '../services/validate';
import { unwrap } from './args';
import type { RequestContext } from './context';

const refOf = (m: VersionData): ModelVersionRef => ({ workspace: m.workspace, modelName: m.modelName, version: m.version });

@Resolver(() => ModelVersion)
export class ModelVersionMonitoringResolver {
  @FieldResolver(() => PredictionConnection, {
    description: 'Logged predictions, oldest first; only those in [from, to) and with `predictionId` when given. Refused where capabilities.monitoring.listPredictions is false.',
  })
  async predictions(
    @Root() m: VersionData,
    @Ctx() ctx: RequestContext,
    @Arg('first', () => Int, { defaultValue: DEFAULT_PAGE_SIZE }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('from', () => DateTimeScalar, { nullable: true }) from: number | null,
    @Arg('to', () => DateTimeScalar, { nullable: true }) to: number | null,
    @Arg('predictionId', () => String, { nullable: true }) predictionId: string | null,
  ) {
    const request = { ref: refOf(m), first: checkPageSize(first), after, from, to, predictionId: predictionId == null ? null : v.name(predictionId, 'predictionId') };
    return toConnection(unwrap(await ctx.loaders.predictions.load(request)));
  }

  @FieldResolver(() => [TimeBucket], { description: 'Predictions per bucket of [from, to), empty buckets included.' })
  async predictionCounts(
    @Root() m: VersionData,
    @Ctx() ctx: RequestContext,
    @Arg('from', () => DateTimeScalar) from: number,
    @Arg('to', () => DateTimeScalar) to: number,
    @Arg('interval', () => IntervalEnum, { defaultValue: IntervalEnum.HOUR }) interval: IntervalEnum,
  ) {
    return unwrap(await ctx.loaders.predictionCounts.load({ ref: refOf(m), from, to, interval }));
  }

  @FieldResolver(() => Distribution, { description: 'The distribution of one feature over [from, to) (all time when absent).' })
  async featureDistribution(
    @Root() m: VersionData,
    @Ctx() ctx: RequestContext,
    @Arg('feature') feature: string,
    @Arg('source', () => FeatureSourceEnum, { defaultValue: FeatureSourceEnum.INPUT }) source: FeatureSourceEnum,
    @Arg('from', () => DateTimeScalar, { nullable: true }) from: number | null,
    @Arg('to', () => DateTimeScalar, { nullable: true }) to: number | null,
  ) {
    return unwrap(await ctx.loaders.featureDistribution.load({ ref: refOf(m), feature: v.name(feature, 'feature'), source, from, to }));
  }

  @FieldResolver(() => [TimeBucket], { description: 'Drift of one feature per bucket that holds data, against the reference data or the first window.' })
  async featureDrift(
    @Root() m: VersionData,
    @Ctx() ctx: RequestContext,
    @Arg('feature') feature: string,
    @Arg('source', () => FeatureSourceEnum, { defaultValue: FeatureSourceEnum.INPUT }) source: FeatureSourceEnum,
    @Arg('from', () => DateTimeScalar, { nullable: true }) from: number | null,
    @Arg('to', () => DateTimeScalar, { nullable: true }) to: number | null,
    @Arg('interval', () => IntervalEnum, { defaultValue: IntervalEnum.DAY }) interval: IntervalEnum,
    @Arg('algorithm', () => DriftAlgorithmEnum, { defaultValue: DriftAlgorithmEnum.PSI }) algorithm: DriftAlgorithmEnum,
    @Arg('reference', () => DriftReferenceEnum, { defaultValue: DriftReferenceEnum.REFERENCE_DATA }) reference: DriftReferenceEnum,
  ) {
    return unwrap(await ctx.loaders.featureDrift.load({ ref: refOf(m), feature: v.name(feature, 'feature'), source, from, to, interval, algorithm, reference }));
  }

  @FieldResolver(() => [TimeBucket], { description: 'A metric of outputs against their labels, per bucket (by prediction time) that holds labelled predictions.' })
  async labelMetric(
    @Root() m: VersionData,
    @Ctx() ctx: RequestContext,
    @Arg('metric', () => LabelMetricEnum) metric: LabelMetricEnum,
    @Arg('output', { defaultValue: 'value' }) output: string,
    @Arg('label', { defaultValue: 'value' }) label: string,
    @Arg('from', () => DateTimeScalar, { nullable: true }) from: number | null,
    @Arg('to', () => DateTimeScalar, { nullable: true }) to: number | null,
    @Arg('interval', () => IntervalEnum, { defaultValue: IntervalEnum.DAY }) interval: IntervalEnum,
  ) {
    return unwrap(await ctx.loaders.labelMetric.load({ ref: refOf(m), metric, output: v.name(output, 'output'), label: v.name(label, 'label'), from, to, interval }));
  }

  @FieldResolver(() => [MonitoredFeature], { description: 'Every feature, output and label logged for this version, with its inferred type.' })
  async monitoredFeatures(@Root() m: VersionData, @Ctx() ctx: RequestContext) {
    return unwrap(await ctx.loaders.monitoredFeatures.load(refOf(m)));
  }
}
