/**
 * Run-detail writes: checked once here (the same checks the backends apply, src/backends/shared/details-input.ts),
 * then one port call each. Every write to a run (details, output lines, a curve) is reported to the live feed
 * as UPDATED after it succeeded, once per call (not per line): a run page knows to read again.
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
    return this.updated(caller, checked.experimentKey, once);
  }

  async appendOutput(caller: Caller, experimentKey: string, lines: readonly OutputLineInput[], claim?: IdempotencyClaim): Promise<{ accepted: number; status: WriteStatus }> {
    const key = v.experimentKey(experimentKey);
    const once = new Once(claim);
    const result = await this.backend.details.appendOutput(caller, key, checkOutputLines(lines), once.options);
    await this.updated(caller, key, once).catch(() => undefined); // the lines are stored: a failed read only costs the event
    return result;
  }

  async logCurve(caller: Caller, input: LogCurveInput, claim?: IdempotencyClaim): Promise<Experiment> {
    const checked = checkCurve({ ...input, experimentKey: v.experimentKey(input.experimentKey) });
    const once = new Once(claim);
    await this.backend.details.logCurve(caller, checked, once.options);
    return this.updated(caller, checked.experimentKey, once);
  }

  async setProjectNotes(caller: Caller, ref: ProjectRef, notes: string, claim?: IdempotencyClaim): Promise<void> {
    const clean = { workspace: v.name(ref.workspace, 'workspace'), name: v.name(ref.name, 'project') };
    await this.backend.details.setProjectNotes(caller, clean, checkNotes(notes), new Once(claim).options);
  }

  /** The experiment after a write, for the payload, reported UPDATED unless the write was a replay. */
  private async updated(caller: Caller, key: string, once: Once): Promise<Experiment> {
    const experiment = await this.experiment(caller, key);
    if (!once.replayed) {
      this.events.experimentChanged({ kind: 'UPDATED', experimentKey: experiment.key, workspace: experiment.workspace, project: experiment.project, experiment, tags: null });
    }
    return experiment;
  }

  /** The experiment after a write, for the payload. */
  private async experiment(caller: Caller, key: string): Promise<Experiment> {
    const [experiment] = await this.backend.experiments.get(caller, [key]);
    if (experiment instanceof Error) throw experiment;
    if (experiment === null) throw experimentNotFound(key);
    return experiment;
  }
}
