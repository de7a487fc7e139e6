/**
 * Run-detail writes: checked once here (the same checks the backends apply, src/backends/shared/details-input.ts),
 * then one port call each. New run details are reported to the live feed as UPDATED after the write succeeded;
 * output lines and curves are not (they come often, like metric points, and have no event of their own yet).
 */
import type { Backend, Caller, Experiment, IdempotencyClaim, LogCurveInput, OutputLineInput, ProjectRef, UpdateRunDetailsInput, WriteStatus } from '../backends/port';
import { checkCurve, checkNotes, checkOutputLines, checkUpdate } from '../backends/shared/details-input';
import { experimentNotFound } from '../errors';
import { NO_LIVE_EVENTS, type LiveEvents } from '../live/events';
import { Once } from './idempotency';
import * as v from './validate';

export class DetailsService {
  constructor(
    private readonly backend: Backend,
    private readonly events: LiveEvents = NO_LIVE_EVENTS,
  ) {}

  async updateRunDetails(caller: Caller, input: UpdateRunDetailsInput, claim?: IdempotencyClaim): Promise<Experiment> {
    const checked = checkUpdate({ ...input, experimentKey: v.experimentKey(input.experimentKey) });
    const once = new Once(claim);
    await this.backend.details.update(caller, checked, once.options);
    const experiment = await this.experiment(caller, checked.experimentKey);
    if (!once.replayed) {
      this.events.experimentChanged({ kind: 'UPDATED', experimentKey: experiment.key, workspace: experiment.workspace, project: experiment.project, experiment, tags: null });
    }
    return experiment;
  }

  async appendOutput(caller: Caller, experimentKey: string, lines: readonly OutputLineInput[], claim?: IdempotencyClaim): Promise<{ accepted: number; status: WriteStatus }> {
    const key = v.experimentKey(experimentKey);
    return this.backend.details.appendOutput(caller, key, checkOutputLines(lines), new Once(claim).options);
  }

  async logCurve(caller: Caller, input: LogCurveInput, claim?: IdempotencyClaim): Promise<Experiment> {
    const checked = checkCurve({ ...input, experimentKey: v.experimentKey(input.experimentKey) });
    await this.backend.details.logCurve(caller, checked, new Once(claim).options);
    return this.experiment(caller, checked.experimentKey);
  }

  async setProjectNotes(caller: Caller, ref: ProjectRef, notes: string, claim?: IdempotencyClaim): Promise<void> {
    const clean = { workspace: v.name(ref.workspace, 'workspace'), name: v.name(ref.name, 'project') };
    await this.backend.details.setProjectNotes(caller, clean, checkNotes(notes), new Once(claim).options);
  }

  /** The experiment after a write, for the payload. */
  private async experiment(caller: Caller, key: string): Promise<Experiment> {
    const [experiment] = await this.backend.experiments.get(caller, [key]);
    if (experiment instanceof Error) throw experiment;
    if (experiment === null) throw experimentNotFound(key);
    return experiment;
  }
}
