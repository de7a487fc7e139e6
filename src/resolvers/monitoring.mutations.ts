/** Logging predictions, late labels and reference data of a registered model version. */
import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { LogLabelsInput, LogLabelsPayload, LogPredictionsInput, LogPredictionsPayload } from '../schema/monitoring.input';
import { claimOf } from '../services/idempotency';
import { MAX_EVENTS_PER_CALL } from '../services/monitoring.service';
import type { RequestContext } from './context';

@Resolver()
export class MonitoringMutations {
  @Mutation(() => LogPredictionsPayload, {
    description: `Logs prediction events (events and/or columns, at most ${MAX_EVENTS_PER_CALL} per call), merged by prediction id; stored whole or not at all.`,
  })
  async logPredictions(@Arg('input') input: LogPredictionsInput, @Ctx() ctx: RequestContext) {
    return ctx.services.monitoring.logPredictions(ctx.caller, input, input.events, input.columns, claimOf('logPredictions', input));
  }

  @Mutation(() => LogLabelsPayload, { description: 'Logs labels that arrived after their predictions (or before them), by prediction id.' })
  async logLabels(@Arg('input') input: LogLabelsInput, @Ctx() ctx: RequestContext) {
    return ctx.services.monitoring.logLabels(ctx.caller, input, input.labels, claimOf('logLabels', input));
  }

  @Mutation(() => LogPredictionsPayload, { description: 'Logs reference data (the training distribution): drift is measured against it; it never counts as predictions.' })
  async logReferenceData(@Arg('input') input: LogPredictionsInput, @Ctx() ctx: RequestContext) {
    return ctx.services.monitoring.logPredictions(ctx.caller, input, input.events, input.columns, claimOf('logReferenceData', input), true);
  }
}
