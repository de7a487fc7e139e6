/**
 * `createExperiment` on Comet, which takes one call to make the run (`write/experiment/create` knows only its
 * workspace, project and name, §5) and more to give it its start time, tags, parameters and parent link.
 *
 * - Those later steps go through the outbox, queued in one transaction right after the run exists: a failure
 *   after the create (Comet down, a crash) cannot leave the run without them, since the outbox delivers them
 *   in order, with retries, across restarts. The call answers once they reached Comet, or once they are
 *   queued (the run is made; its tags follow). A step Comet refuses for good is kept as a dead letter.
 * - Under an idempotency claim the run also gets a `trackql.create` other, a digest of the claim, delivered
 *   first. A retry after an ambiguous attempt (idempotency.ts) finds the run by it (`project/query`), or, when
 *   the create's own answer was lost so no marker was written, in the project's listing: a run of the same
 *   name started since the attempt, carrying no claim marker. One such run is adopted and finished; none
 *   means nothing was made and the create runs again; several mean the gateway cannot tell, and the key
 *   stays refused rather than risk a second run.
 */
import { createHash } from 'node:crypto';
import { isTrackqlError } from '../../errors';
import type * as Port from '../port';
import type { CometApi } from './api';
import type { CometContext } from './context';
import { decodeCreatedExperiment, type ExperimentMeta } from './decode';
import { allOthers, experimentUrl, otherRule, toExperiment } from './experiment-reads';
import type { ReconcilableWrite, Reconciled } from './idempotency';
import { OtherKey, Route } from './protocol';
import { projectName, requireMeta, requireName } from './writes';
import { isTransient, type WriteItem } from './writer';

/** Comet's clock and the gateway's may differ: runs started this long before an attempt still count. */
const CLOCK_SKEW_MS = 60_000;

interface Created {
  experimentKey: string;
  link: string | null;
}

/** The marker of a claim: never the key itself (keys may carry meaning), a digest scoped to the API key. */
export function claimMarker(keyId: string, idempotencyKey: string): string {
  return createHash('sha256').update(`${keyId}\u0000${idempotencyKey}`).digest('hex').slice(0, 32);
}

function followUps(input: Port.CreateExperimentInput, marker: string | null, now: number): WriteItem[] {
  const others = [
    ...(marker ? [{ key: OtherKey.createClaim, value: marker }] : []),
    ...(input.parentKey ? [{ key: OtherKey.parentKey, value: input.parentKey }] : []),
  ];
  const items: WriteItem[] = [];
  // The marker first: the lane delivers in order, so a run with its marker has the rest delivered or queued.
  if (others.length > 0) items.push({ kind: 'other', values: others });
  if (input.startedAt != null) items.push({ kind: 'start', values: [input.startedAt] });
  if (input.tags && input.tags.length > 0) items.push({ kind: 'tags', values: [...new Set(input.tags)] });
  if (input.parameters && input.parameters.length > 0) {
    items.push({ kind: 'parameter', values: input.parameters.map((p) => ({ parameterName: p.name, parameterValue: p.value, source: 'manual', timestamp: now })) });
  }
  return items;
}

export function createRun(context: CometContext, caller: Port.Caller, input: Port.CreateExperimentInput, claim: Port.IdempotencyClaim | undefined): ReconcilableWrite<Port.Experiment> {
  const workspace = requireName(input.workspace, 'workspace');
  const project = projectName(input.project);
  const name = typeof input.name === 'string' && input.name.trim() !== '' ? input.name.trim() : null;
  const marker = claim ? claimMarker(caller.keyId, claim.key) : null;
  return {
    async run({ resume, progress }) {
      const api = context.api(caller);
      const now = context.now();
      let created = resume as Created | null;
      if (created === null) {
        // Check the parent first: a run with a dangling parent link must not be created.
        if (input.parentKey) await requireMeta(api, input.parentKey);
        const answer = decodeCreatedExperiment(await api.call({
          method: 'POST', route: Route.writeExperimentCreate, idempotent: false,
          json: { workspaceName: workspace, projectName: project, ...(name ? { experimentName: name } : {}) },
        }));
        created = { experimentKey: answer.key, link: answer.link };
        await progress(created);
      }
      const key = created.experimentKey;
      // Steps that overwrite or append the same values: queued again on a resumed attempt, they change nothing.
      try {
        await context.queueSteps(caller, key, followUps(input, marker, now));
      } catch (error) {
        // Comet refused a step for good: it is kept as a dead letter (listed, replayable) and the run is made,
        // so the call answers the run; failing it would only make each retry queue the refused step again.
        if (!isTrackqlError(error) || isTransient(error)) throw error;
      }
      return answerFor(api, created, { workspace, project, name, startedAt: input.startedAt ?? null, parentKey: input.parentKey ?? null, now });
    },
    async reconcile({ progress, since }) {
      if (progress !== null) return { outcome: 'resume', progress };
      return findRun(context.api(caller, { fresh: true }), { workspace, project, name, marker, since });
    },
  };
}

/** The run an ambiguous attempt may have made: by its marker, else by name and start time in the listing. */
async function findRun(api: CometApi, what: { workspace: string; project: string; name: string | null; marker: string | null; since: number }): Promise<Reconciled> {
  const { workspace, project, name, marker, since } = what;
  const column = (await api.columns(workspace, project, false)).find((c) => c.source === 'log_other' && c.name === OtherKey.createClaim);
  if (marker && column) {
    const keys = await api.query(workspace, project, false, [otherRule(column, 'equal', marker)]);
    if (keys.length === 1) return { outcome: 'resume', progress: { experimentKey: keys[0], link: null } satisfies Created };
    if (keys.length > 1) return { outcome: 'unknown', reason: `${keys.length} runs carry its marker` };
  }
  const recent = ((await api.experimentList(workspace, project, false)) ?? [])
    .filter((m) => (m.startedAt ?? 0) >= since - CLOCK_SKEW_MS && (name === null || m.name === name));
  const unclaimed: ExperimentMeta[] = [];
  for (const meta of recent) {
    if (!(await allOthers(api, meta.key)).some((o) => o.key === OtherKey.createClaim)) unclaimed.push(meta);
  }
  if (unclaimed.length === 0) return { outcome: 'absent' };
  if (unclaimed.length === 1) return { outcome: 'resume', progress: { experimentKey: unclaimed[0].key, link: null } satisfies Created };
  return { outcome: 'unknown', reason: `${unclaimed.length} runs that may be it were started in '${workspace}/${project}' since` };
}

interface Wanted {
  workspace: string;
  project: string;
  name: string | null;
  startedAt: number | null;
  parentKey: string | null;
  now: number;
}

/**
 * The created run as written. Comet's reads lag its writes (§8), so the answer is built from what was
 * written, with the read metadata when Comet has it; what was written is cached for reads within the TTL.
 */
async function answerFor(api: CometApi, created: Created, wanted: Wanted): Promise<Port.Experiment> {
  const key = created.experimentKey;
  await api.forgetProject(wanted.workspace, wanted.project);
  await api.forgetExperiment(key, ['meta', 'others', 'tags', 'params']);
  let meta: ExperimentMeta | null = null;
  try {
    meta = await api.meta(key);
  } catch {
    meta = null; // Comet is away: the run is made and its steps are queued, so answer from what was written
  }
  const base: ExperimentMeta = meta ?? {
    key, name: wanted.name, projectId: '', project: wanted.project, workspace: wanted.workspace,
    startedAt: wanted.startedAt ?? wanted.now, endedAt: null, archived: false, running: true,
  };
  const written = { ...base, startedAt: wanted.startedAt ?? base.startedAt };
  await api.cache.set(`meta:${key}`, written);
  if (wanted.parentKey) await api.cache.set(`others:${key}`, [{ key: OtherKey.parentKey, value: wanted.parentKey }]);
  const experiment = toExperiment(api, written, { status: null, parentKey: wanted.parentKey });
  return { ...experiment, url: created.link ?? experimentUrl(api, written) };
}
