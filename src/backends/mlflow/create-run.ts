/**
 * `createExperiment` on MLflow: one `runs/create` carries the run's name, start time, tags and parent link;
 * its parameters follow through the outbox, so a failure in between cannot leave the run without them.
 * Under an idempotency claim the run also carries `trackql.create`, a digest of the claim, in that same
 * call: a retry after an ambiguous attempt (comet/idempotency.ts) finds the run by it and finishes it; none
 * found means nothing was made and the create runs again; several mean the gateway cannot tell, and the
 * key stays refused rather than risk a third run.
 */
import { BadUserInputError, experimentNotFound } from '../../errors';
import { claimMarker } from '../comet/create-run';
import type { ReconcilableWrite } from '../comet/idempotency';
import type * as Port from '../port';
import type { KeyValue, MlflowApi } from './api';
import type { MlflowContext } from './context';
import { projectFor } from './projects';
import { GatewayTag, Limits, Tag } from './protocol';
import { liveRuns, toExperiments } from './run-reads';
import { checkParameters, checkTags } from './validate';

export function createRun(context: MlflowContext, caller: Port.Caller, input: Port.CreateExperimentInput, claim: Port.IdempotencyClaim | undefined): ReconcilableWrite<Port.Experiment> {
  context.checkWorkspace(input.workspace);
  const tags: KeyValue[] = checkTags(input.tags ?? []);
  const params = checkParameters(input.parameters ?? []);
  if (input.name != null && (typeof input.name !== 'string' || input.name.length > Limits.KEY_MAX_CHARS)) {
    throw new BadUserInputError(`name must be a string of at most ${Limits.KEY_MAX_CHARS} characters`, { field: 'name' });
  }
  if (input.startedAt != null && !Number.isSafeInteger(input.startedAt)) throw new BadUserInputError('startedAt must be Unix milliseconds', { field: 'startedAt' });
  const marker = claim ? claimMarker(caller.keyId, claim.key) : null;
  const api = (): MlflowApi => context.api(caller);

  return {
    run: async ({ resume, progress }) => {
      let runId = typeof resume === 'string' ? resume : null;
      if (runId === null) {
        const a = api();
        if (input.parentKey) {
          const parent = (await liveRuns(a, [input.parentKey])).get(input.parentKey);
          if (!parent) throw experimentNotFound(input.parentKey);
          tags.push({ key: Tag.parentRunId, value: parent.runId });
        }
        if (marker) tags.push({ key: GatewayTag.createClaim, value: marker });
        const project = await projectFor(a, input.project);
        const run = await a.createRun({
          experiment_id: project.experimentId,
          ...(input.name ? { run_name: input.name } : {}),
          start_time: input.startedAt ?? context.now(),
          tags,
        });
        runId = run.runId;
        await progress(runId);
      }
      // runs/create takes tags only: the parameters follow in log-batch, through the outbox (sent again on a
      // resumed attempt: MLflow takes a parameter's same value again).
      await context.queueSteps(caller, runId, [{ kind: 'parameter', values: params }]);
      const a = api();
      const run = (await liveRuns(a, [runId])).get(runId);
      const [experiment] = run ? await toExperiments(a, [run], context.workspace) : [];
      if (!experiment) throw experimentNotFound(runId);
      return experiment;
    },
    reconcile: async ({ progress }) => {
      if (typeof progress === 'string') return { outcome: 'resume', progress };
      if (marker === null) return { outcome: 'absent' };
      const a = api();
      const project = await a.experimentByName(input.project);
      if (!project) return { outcome: 'absent' };
      const found = await a.searchRuns([project.experimentId], `tags.\`${GatewayTag.createClaim}\` = '${marker}'`, 'ALL');
      if (found.length === 0) return { outcome: 'absent' };
      if (found.length === 1) return { outcome: 'resume', progress: found[0].runId };
      return { outcome: 'unknown', reason: `${found.length} runs carry its marker` };
    },
  };
}
