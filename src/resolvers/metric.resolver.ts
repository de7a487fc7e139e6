import { Arg, Ctx, FieldResolver, Float, Int, Resolver, Root } from 'type-graphql';
import {
  DEFAULT_HISTORY_PAGE, MAX_HISTORY_PAGE, MAX_SAMPLES, checkCount, type MetricPoint as PointData, type MetricSummary as SummaryData,
} from '../backends/port';
import { NonFiniteEnum } from '../schema/enums';
import { MetricHistory, MetricPoint, MetricSummary } from '../schema/metric.type';
import { SafeIntScalar } from '../schema/scalars';
import { classifyNonFinite } from '../services/metrics.service';
import type { RequestContext } from './context';
import { unwrap } from './args';

const finite = (value: number): number | null => (Number.isFinite(value) ? value : null);
const nonFinite = (value: number) => classifyNonFinite(value) as NonFiniteEnum | null;

@Resolver(() => MetricSummary)
export class MetricSummaryResolver {
  @FieldResolver(() => Float, { nullable: true, description: 'Last value; null when non-finite (see lastNonFinite).' })
  last(@Root() m: SummaryData) {
    return finite(m.last);
  }

  @FieldResolver(() => NonFiniteEnum, { nullable: true })
  lastNonFinite(@Root() m: SummaryData) {
    return nonFinite(m.last);
  }

  @FieldResolver(() => Float, { nullable: true, description: 'Smallest value (NaN ignored); null when non-finite (see minNonFinite).' })
  min(@Root() m: SummaryData) {
    return finite(m.min);
  }

  @FieldResolver(() => NonFiniteEnum, { nullable: true })
  minNonFinite(@Root() m: SummaryData) {
    return nonFinite(m.min);
  }

  @FieldResolver(() => Float, { nullable: true, description: 'Largest value (NaN ignored); null when non-finite (see maxNonFinite).' })
  max(@Root() m: SummaryData) {
    return finite(m.max);
  }

  @FieldResolver(() => NonFiniteEnum, { nullable: true })
  maxNonFinite(@Root() m: SummaryData) {
    return nonFinite(m.max);
  }

  @FieldResolver(() => MetricHistory, {
    description:
      'Points in step order (then timestamp). Raw by pages with `first`/`after`, or downsampled with `samples`: ' +
      "at most that many points, keeping each bucket's min and max and the first and last point. " +
      'Step bounds (up to 2^53 − 1) are exclusive and apply before paging or sampling; a point without a step ' +
      'is outside every bounded range.',
  })
  async history(
    @Root() m: SummaryData,
    @Ctx() ctx: RequestContext,
    @Arg('afterStep', () => SafeIntScalar, { nullable: true }) afterStep: number | null,
    @Arg('beforeStep', () => SafeIntScalar, { nullable: true }) beforeStep: number | null,
    @Arg('first', () => Int, { defaultValue: DEFAULT_HISTORY_PAGE, description: `At most ${MAX_HISTORY_PAGE}.` }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('samples', () => Int, { nullable: true, description: `Downsample to at most this many points (1 to ${MAX_SAMPLES}).` }) samples: number | null,
  ): Promise<MetricHistory> {
    checkCount(first, 0, MAX_HISTORY_PAGE, 'first');
    // `samples: 0` asks for no point at all: answered here, the port's requests sample at least one.
    if (samples != null && checkCount(samples, 0, MAX_SAMPLES, 'samples') === 0) return emptyHistory();
    const history = unwrap(
      await ctx.loaders.metricHistory.load({ experimentKey: m.experimentKey, name: m.name, context: m.context, afterStep, beforeStep, first, after, samples }),
    );
    return {
      points: history.points as MetricPoint[],
      totalCount: history.totalCount,
      sampled: history.sampled,
      pageInfo: {
        hasNextPage: history.hasNextPage,
        hasPreviousPage: history.hasPreviousPage,
        startCursor: history.cursors[0] ?? null,
        endCursor: history.cursors.at(-1) ?? null,
      },
    };
  }
}

function emptyHistory(): MetricHistory {
  return { points: [], totalCount: 0, sampled: true, pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null } };
}

@Resolver(() => MetricPoint)
export class MetricPointResolver {
  @FieldResolver(() => Float, { nullable: true, description: 'The value; null when non-finite (see nonFinite).' })
  value(@Root() p: PointData) {
    return finite(p.value);
  }

  @FieldResolver(() => NonFiniteEnum, { nullable: true })
  nonFinite(@Root() p: PointData) {
    return nonFinite(p.value);
  }
}
