/** Experiment and project writes: validated here, then one call to the port each. */
import type { Backend, Caller, Experiment, Other, Parameter, Project, WriteStatus } from '../backends/port';
import { BadUserInputError } from '../errors';
import * as v from './validate';

export interface ParameterLike {
  name: string;
  value: unknown;
}

export class ExperimentsService {
  constructor(private readonly backend: Backend) {}

  createProject(caller: Caller, input: { workspace: string; name: string; description?: string | null; isPublic?: boolean }): Promise<Project> {
    return this.backend.createProject(caller, {
      workspace: v.name(input.workspace, 'workspace'),
      name: v.name(input.name, 'name'),
      description: v.optionalText(input.description, 'description'),
      isPublic: input.isPublic ?? false,
    });
  }

  createExperiment(
    caller: Caller,
    input: {
      workspace: string; project: string; name?: string | null; tags?: readonly string[] | null;
      parameters?: readonly ParameterLike[] | null; parentKey?: string | null; startedAt?: number | null;
    },
  ): Promise<Experiment> {
    return this.backend.createExperiment(caller, {
      workspace: v.name(input.workspace, 'workspace'),
      project: v.name(input.project, 'project'),
      name: v.optionalName(input.name, 'name'),
      tags: this.tags(input.tags ?? []),
      parameters: this.parameters(input.parameters ?? []),
      parentKey: input.parentKey == null ? null : v.experimentKey(input.parentKey, 'parentKey'),
      startedAt: input.startedAt == null ? null : v.time(input.startedAt, 'startedAt'),
    });
  }

  endExperiment(caller: Caller, input: { experimentKey: string; status: Experiment['status']; endedAt?: number | null }): Promise<Experiment> {
    if (input.status === 'RUNNING') throw new BadUserInputError('status must be FINISHED, FAILED or CRASHED to end an experiment', { field: 'status' });
    return this.backend.endExperiment(caller, {
      experimentKey: v.experimentKey(input.experimentKey),
      status: input.status,
      endedAt: input.endedAt == null ? null : v.time(input.endedAt, 'endedAt'),
    });
  }

  async logParameters(caller: Caller, experimentKey: string, params: readonly ParameterLike[]): Promise<{ accepted: number; status: WriteStatus }> {
    const clean = this.parameters(params);
    if (clean.length === 0) throw new BadUserInputError('parameters must hold at least one parameter', { field: 'parameters' });
    const status = await this.backend.logParameters(caller, v.experimentKey(experimentKey), clean);
    return { accepted: clean.length, status };
  }

  async logOthers(caller: Caller, experimentKey: string, others: readonly { key: string; value: unknown }[]): Promise<{ accepted: number; status: WriteStatus }> {
    v.list(others, 'others');
    const clean: Other[] = others.map((o, i) => ({ key: v.name(o.key, `others[${i}].key`), value: v.scalarValue(o.value, `others[${i}].value`) }));
    v.unique(clean.map((o) => o.key), 'others');
    if (clean.length === 0) throw new BadUserInputError('others must hold at least one entry', { field: 'others' });
    const status = await this.backend.logOthers(caller, v.experimentKey(experimentKey), clean);
    return { accepted: clean.length, status };
  }

  addTags(caller: Caller, experimentKey: string, tags: readonly string[]): Promise<string[]> {
    return this.backend.addTags(caller, v.experimentKey(experimentKey), this.tags(tags));
  }

  removeTags(caller: Caller, experimentKey: string, tags: readonly string[]): Promise<string[]> {
    return this.backend.removeTags(caller, v.experimentKey(experimentKey), this.tags(tags));
  }

  archiveExperiment(caller: Caller, experimentKey: string): Promise<Experiment> {
    return this.backend.archiveExperiment(caller, v.experimentKey(experimentKey));
  }

  async deleteExperiment(caller: Caller, experimentKey: string): Promise<string> {
    const key = v.experimentKey(experimentKey);
    await this.backend.deleteExperiment(caller, key);
    return key;
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
