/**
 * Experiment and project writes: validated here, then one call to the port each. Lifecycle changes are
 * reported to the live feed after the write succeeded.
 */
import type { Backend, Caller, Experiment, IdempotencyClaim, MetricSummary, Other, Parameter, Project, WriteStatus } from '../backends/port';
import { BadUserInputError } from '../errors';
import { NO_LIVE_EVENTS, type ExperimentEventKind, type LiveEvents } from '../live/events';
import { checkRecipients, composeEmail, readAttachments, type NotifyRequest } from '../notify/email-message';
import type { Notifier } from '../notify/notifier';
import { Once } from './idempotency';
import * as v from './validate';

export interface ParameterLike {
  name: string;
  value: unknown;
}

export class ExperimentsService {
  constructor(
    private readonly backend: Backend,
    private readonly events: LiveEvents = NO_LIVE_EVENTS,
    /** Webhooks and email (src/notify/): events queued with the write; none when null. */
    private readonly notifier: Notifier | null = null,
  ) {}

  createProject(
    caller: Caller, input: { workspace: string; name: string; description?: string | null; isPublic?: boolean }, claim?: IdempotencyClaim,
  ): Promise<Project> {
    return this.backend.projects.create(caller, {
      workspace: v.name(input.workspace, 'workspace'),
      name: v.name(input.name, 'name'),
      description: v.optionalText(input.description, 'description'),
      isPublic: input.isPublic ?? false,
    }, new Once(claim).options);
  }

  async createExperiment(
    caller: Caller,
    input: {
      workspace: string; project: string; name?: string | null; tags?: readonly string[] | null;
      parameters?: readonly ParameterLike[] | null; parentKey?: string | null; startedAt?: number | null;
    },
    claim?: IdempotencyClaim,
  ): Promise<Experiment> {
    const once = new Once(claim);
    const tags = this.tags(input.tags ?? []);
    const create = () => this.backend.experiments.create(caller, {
      workspace: v.name(input.workspace, 'workspace'),
      project: v.name(input.project, 'project'),
      name: v.optionalName(input.name, 'name'),
      tags,
      parameters: this.parameters(input.parameters ?? []),
      parentKey: input.parentKey == null ? null : v.experimentKey(input.parentKey, 'parentKey'),
      startedAt: input.startedAt == null ? null : v.time(input.startedAt, 'startedAt'),
    }, once.options);
    const experiment = this.notifier ? await this.notifier.experimentCreated(create, () => once.replayed) : await create();
    if (!once.replayed) this.changed('CREATED', experiment, [...tags].sort());
    return experiment;
  }

  async endExperiment(
    caller: Caller,
    input: { experimentKey: string; status: Experiment['status']; endedAt?: number | null; notify?: NotifyRequest | null },
    claim?: IdempotencyClaim,
  ): Promise<Experiment> {
    const once = new Once(claim);
    const status = input.status;
    if (status === 'RUNNING') throw new BadUserInputError('status must be FINISHED, FAILED or CRASHED to end an experiment', { field: 'status' });
    const key = v.experimentKey(input.experimentKey);
    const end = () => this.backend.experiments.end(caller, {
      experimentKey: key,
      status,
      endedAt: input.endedAt == null ? null : v.time(input.endedAt, 'endedAt'),
    }, once.options);
    let experiment: Experiment;
    if (this.notifier) {
      // Recipients and attachments are checked and read before the run ends: a refusal ends nothing.
      const email = input.notify ? await this.email(caller, key, input.notify) : null;
      experiment = await this.notifier.experimentEnded(caller, key, { email }, end, () => once.replayed);
    } else {
      if (input.notify) throw new BadUserInputError('notify needs email notifications, which this gateway does not have', { field: 'notify' });
      experiment = await end();
    }
    if (!once.replayed) this.changed('ENDED', experiment, null);
    return experiment;
  }

  async logParameters(
    caller: Caller, experimentKey: string, params: readonly ParameterLike[], claim?: IdempotencyClaim,
  ): Promise<{ accepted: number; status: WriteStatus }> {
    const clean = this.parameters(params);
    if (clean.length === 0) throw new BadUserInputError('parameters must hold at least one parameter', { field: 'parameters' });
    const status = await this.backend.attributes.logParameters(caller, v.experimentKey(experimentKey), clean, new Once(claim).options);
    return { accepted: clean.length, status };
  }

  async logOthers(
    caller: Caller, experimentKey: string, others: readonly { key: string; value: unknown }[], claim?: IdempotencyClaim,
  ): Promise<{ accepted: number; status: WriteStatus }> {
    v.list(others, 'others');
    const clean: Other[] = others.map((o, i) => ({ key: v.name(o.key, `others[${i}].key`), value: v.scalarValue(o.value, `others[${i}].value`) }));
    v.unique(clean.map((o) => o.key), 'others');
    if (clean.length === 0) throw new BadUserInputError('others must hold at least one entry', { field: 'others' });
    const status = await this.backend.attributes.logOthers(caller, v.experimentKey(experimentKey), clean, new Once(claim).options);
    return { accepted: clean.length, status };
  }

  async addTags(caller: Caller, experimentKey: string, tags: readonly string[], claim?: IdempotencyClaim): Promise<string[]> {
    const key = v.experimentKey(experimentKey);
    const once = new Once(claim);
    const after = await this.backend.attributes.addTags(caller, key, this.tags(tags), once.options);
    if (!once.replayed) await this.tagsChanged(caller, key, after);
    return after;
  }

  async removeTags(caller: Caller, experimentKey: string, tags: readonly string[], claim?: IdempotencyClaim): Promise<string[]> {
    const key = v.experimentKey(experimentKey);
    const once = new Once(claim);
    const after = await this.backend.attributes.removeTags(caller, key, this.tags(tags), once.options);
    if (!once.replayed) await this.tagsChanged(caller, key, after);
    return after;
  }

  async archiveExperiment(caller: Caller, experimentKey: string, claim?: IdempotencyClaim): Promise<Experiment> {
    const once = new Once(claim);
    const experiment = await this.backend.experiments.archive(caller, v.experimentKey(experimentKey), once.options);
    if (!once.replayed) this.changed('ARCHIVED', experiment, null);
    return experiment;
  }

  async deleteExperiment(caller: Caller, experimentKey: string, claim?: IdempotencyClaim): Promise<string> {
    const key = v.experimentKey(experimentKey);
    const once = new Once(claim);
    // Read first: once deleted, the experiment's project (the event's channel) is gone with it.
    const before = await this.experimentOrNull(caller, key);
    await this.backend.experiments.delete(caller, key, once.options);
    if (before && !once.replayed) this.events.experimentChanged({ kind: 'DELETED', experimentKey: key, workspace: before.workspace, project: before.project, experiment: null, tags: null });
    return key;
  }

  private async email(caller: Caller, key: string, notify: NotifyRequest) {
    if (!this.notifier?.emailConfigured) throw new BadUserInputError('notify needs an SMTP server: set TRACKQL_SMTP_URL', { field: 'notify' });
    const to = checkRecipients(notify.emails);
    const attachments = await readAttachments(this.backend, caller, key, notify.attachAssets ?? []);
    return (experiment: Experiment, summaries: readonly MetricSummary[]) => composeEmail(to, attachments, experiment, summaries);
  }

  private changed(kind: ExperimentEventKind, experiment: Experiment, tags: string[] | null): void {
    this.events.experimentChanged({ kind, experimentKey: experiment.key, workspace: experiment.workspace, project: experiment.project, experiment, tags });
  }

  /** Tag writes answer with tags only; the event also needs the experiment (its project is the channel). */
  private async tagsChanged(caller: Caller, key: string, tags: string[]): Promise<void> {
    const experiment = await this.experimentOrNull(caller, key);
    if (experiment) this.changed('TAGS_CHANGED', experiment, tags);
  }

  /** A read for an event only: its failure must not fail the write, which has succeeded. */
  private async experimentOrNull(caller: Caller, key: string): Promise<Experiment | null> {
    if (this.events === NO_LIVE_EVENTS) return null; // nobody listens: spare the backend the read
    try {
      const [experiment] = await this.backend.experiments.get(caller, [key]);
      return experiment instanceof Error ? null : experiment;
    } catch {
      return null;
    }
  }

  private tags(tags: readonly string[]): string[] {
    v.list(tags, 'tags');
    // Repeated tags are harmless (a tag is a set member), so they collapse instead of failing.
    return [...new Set(tags.map((t, i) => v.name(t, `tags[${i}]`)))];
  }

  private parameters(params: readonly ParameterLike[]): Parameter[] {
    v.list(params, 'parameters');
    const clean = params.map((p, i) => ({ name: v.name(p.name, `parameters[${i}].name`), value: v.scalarValue(p.value, `parameters[${i}].value`) }));
    v.unique(clean.map((p) => p.name), 'parameters');
    return clean;
  }
}
