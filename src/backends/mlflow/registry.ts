/**
 * The registry port on MLflow: registered models and model versions (§6). MLflow numbers versions itself,
 * so the version TrackQL names is kept in the tag `trackql.version` (versions registered by other clients
 * go by MLflow's number); stage ↔ the legacy transition-stage; aliases are MLflow's own; a version's
 * comment is its description; TrackQL tags are version tags with an empty value.
 */
import { BadUserInputError, NotFoundError, experimentNotFound } from '../../errors';
import { childVersion } from '../comet/registry-calls';
import { slicePage } from '../comet/cursor';
import type * as Port from '../port';
import type { KeyValue, MlflowApi } from './api';
import { taggedAssets } from './asset-records';
import type { MlflowContext } from './context';
import type { MlflowModel, MlflowRun, MlflowVersion } from './decode';
import { GatewayTag } from './protocol';
import { isReserved } from './runs';
import * as calls from './registry-calls';
import { childRuns, liveRuns } from './run-reads';
import { checkAliases, stageOf } from './registry-input';

type Caller = Port.Caller;

export const MLFLOW_REGISTRY_CAPABILITIES: Port.RegistryCapabilities = Object.freeze({ aliases: true });

const CURSOR_KIND = 'mr';
const sorted = (items: Iterable<string>): string[] => [...items].sort();

function text(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new BadUserInputError(`${field} must be a non-empty string`, { field });
  return value.trim();
}

export class MlflowRegistry implements Port.RegistryPort {
  readonly #c: MlflowContext;

  constructor(context: MlflowContext) {
    this.#c = context;
  }

  async models(caller: Caller, refs: readonly Port.RegisteredModelRef[]) {
    const api = this.#c.api(caller);
    const names = [...new Set(refs.filter((r) => r.workspace === this.#c.workspace && r.name.trim() !== '').map((r) => r.name.trim()))];
    const found = new Map(await Promise.all(names.map(async (name) => [name, await calls.getModel(api, name)] as const)));
    return refs.map((r) => {
      const m = r.workspace === this.#c.workspace ? found.get(r.name.trim()) : null;
      return m ? this.#model(m) : null;
    });
  }

  async list(caller: Caller, workspace: string, page: Port.PageRequest) {
    const all = workspace === this.#c.workspace ? await calls.searchModels(this.#c.api(caller)) : [];
    const sliced = slicePage(CURSOR_KIND, all.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)), page, (m) => m.name);
    return { ...sliced, items: sliced.items.map((m) => this.#model(m)) };
  }

  async versions(caller: Caller, refs: readonly Port.RegisteredModelRef[]) {
    const api = this.#c.api(caller);
    const names = [...new Set(refs.filter((r) => r.workspace === this.#c.workspace && r.name.trim() !== '').map((r) => r.name.trim()))];
    const found = new Map(await Promise.all(names.map(async (name) => [name, await calls.versionsOf(api, name)] as const)));
    return refs.map((r) => {
      const versions = r.workspace === this.#c.workspace ? found.get(r.name.trim()) ?? [] : [];
      return versions.map((v) => this.#version(v)).sort(newestFirst);
    });
  }

  async register(caller: Caller, input: Port.RegisterModelInput, options?: Port.WriteOptions) {
    if (input.workspace != null) this.#c.checkWorkspace(input.workspace);
    const name = text(input.registryName, 'registryName');
    const version = text(input.version, 'version');
    const modelName = text(input.experimentModelName, 'experimentModelName');
    const stage = input.stage == null ? null : stageOf(input.stage);
    const tags = sorted(new Set((input.tags ?? []).map((t, i) => text(t, `tags[${i}]`))));
    return this.#c.once(caller, options, async () => {
      const api = this.#c.api(caller);
      const run = (await liveRuns(api, [input.experimentKey])).get(input.experimentKey);
      if (!run) throw experimentNotFound(input.experimentKey);
      if (!hasModel(run, modelName)) throw new NotFoundError(`Experiment '${run.runId}' has no model '${modelName}'`, { experimentKey: run.runId });
      let model = await calls.getModel(api, name);
      if (!model) {
        await calls.createModel(api, name, input.description ?? null, [{ key: GatewayTag.isPublic, value: String(input.isPublic === true) }]);
        model = await calls.getModel(api, name);
        if (!model) throw new NotFoundError(`MLflow did not keep the registered model '${name}'`);
      }
      const taken = new Set((await calls.versionsOf(api, name)).map((v) => this.#version(v).version));
      if (taken.has(version)) throw new BadUserInputError(`Registered model '${name}' already has version '${version}'`, { field: 'version' });
      const targets: [MlflowRun, string][] = [[run, version]];
      taken.add(version);
      if (input.includeChildren) {
        for (const child of await descendants(api, run)) {
          if (!hasModel(child, modelName)) continue;
          const next = childVersion(version, taken);
          taken.add(next);
          targets.push([child, next]);
        }
      }
      const versions: Port.ModelVersion[] = [];
      for (const [target, v] of targets) {
        const versionTags: KeyValue[] = [{ key: GatewayTag.version, value: v }, { key: GatewayTag.experimentModel, value: modelName }, ...tags.map((key) => ({ key, value: '' }))];
        if (input.status != null) versionTags.push({ key: GatewayTag.status, value: input.status });
        let made = await calls.createVersion(api, {
          name, source: target.artifactUri ?? `runs:/${target.runId}`, run_id: target.runId, tags: versionTags, ...(input.comment ? { description: input.comment } : {}),
        });
        if (stage !== null && stage !== 'None') {
          await calls.transitionStage(api, name, made.version, stage);
          made = { ...made, stage };
        }
        versions.push(this.#version(made));
      }
      return { model: this.#model(model), versions };
    });
  }

  async updateVersion(caller: Caller, input: Port.UpdateModelVersionInput, options?: Port.WriteOptions) {
    this.#c.checkWorkspace(input.workspace);
    const name = text(input.modelName, 'modelName');
    const add = checkAliases(input.addAliases ?? []);
    const remove = checkAliases(input.removeAliases ?? []);
    const tags = input.tags == null ? null : new Set(input.tags.map((t, i) => text(t, `tags[${i}]`)));
    return this.#c.once(caller, options, async () => {
      const api = this.#c.api(caller);
      const current = await this.#find(api, name, input.version.trim());
      const n = current.version;
      // After the lookup: a missing version is NOT_FOUND whatever else the input holds.
      const stage = input.stage === undefined ? undefined : input.stage === null ? 'None' : stageOf(input.stage);
      if (stage !== undefined && stage !== current.stage) await calls.transitionStage(api, name, n, stage);
      if (input.status === null) {
        if (current.tags.has(GatewayTag.status)) await calls.deleteVersionTag(api, name, n, GatewayTag.status);
      } else if (input.status !== undefined) await calls.setVersionTag(api, name, n, GatewayTag.status, input.status);
      if (tags !== null) {
        for (const [key, value] of current.tags) if (value === '' && !isReserved(key) && !tags.has(key)) await calls.deleteVersionTag(api, name, n, key);
        for (const key of tags) if (current.tags.get(key) !== '') await calls.setVersionTag(api, name, n, key, '');
      }
      if (input.comment !== undefined) await calls.updateDescription(api, name, n, input.comment ?? '');
      for (const alias of remove) if (current.aliases.includes(alias)) await calls.deleteAlias(api, name, alias);
      for (const alias of add) await calls.setAlias(api, name, alias, n);
      return this.#version(await this.#find(api, name, input.version.trim()));
    });
  }

  async deleteVersion(caller: Caller, ref: Port.ModelVersionRef, options?: Port.WriteOptions) {
    this.#c.checkWorkspace(ref.workspace);
    const name = text(ref.modelName, 'modelName');
    return this.#c.once(caller, options, async () => {
      const api = this.#c.api(caller);
      const found = await this.#find(api, name, ref.version.trim());
      await calls.deleteVersion(api, name, found.version);
    });
  }

  /** The MLflow version TrackQL calls `version` (its tag, else MLflow's own number); NOT_FOUND when none. */
  async #find(api: MlflowApi, name: string, version: string): Promise<MlflowVersion> {
    if (!(await calls.getModel(api, name))) throw new NotFoundError(`Registered model '${this.#c.workspace}/${name}' does not exist`);
    const versions = await calls.versionsOf(api, name);
    const found = versions.find((v) => v.tags.get(GatewayTag.version) === version) ?? versions.find((v) => !v.tags.has(GatewayTag.version) && v.version === version);
    if (!found) throw new NotFoundError(`Model '${this.#c.workspace}/${name}' has no version '${version}'`);
    return found;
  }

  #model(m: MlflowModel): Port.RegisteredModel {
    return {
      id: m.name, workspace: this.#c.workspace, name: m.name, description: m.description,
      isPublic: m.tags.get(GatewayTag.isPublic) === 'true', createdAt: m.creationTime, lastUpdatedAt: m.lastUpdateTime,
    };
  }

  #version(v: MlflowVersion): Port.ModelVersion {
    return {
      id: `${v.name}/${v.version}`,
      workspace: this.#c.workspace,
      modelName: v.name,
      version: v.tags.get(GatewayTag.version) ?? v.version,
      stage: v.stage === 'None' ? null : v.stage.toLowerCase(),
      status: v.tags.get(GatewayTag.status) ?? v.status,
      tags: sorted([...v.tags].filter(([key, value]) => value === '' && !isReserved(key)).map(([key]) => key)),
      aliases: sorted(v.aliases),
      comment: v.description,
      createdAt: v.creationTime,
      experimentKey: v.runId,
      experimentModelName: v.tags.get(GatewayTag.experimentModel) ?? null,
    };
  }
}

function hasModel(run: MlflowRun, modelName: string): boolean {
  return taggedAssets(run).some((a) => a.modelName === modelName);
}

/** Child runs, then theirs, depth first, each level by start time then key. */
async function descendants(api: MlflowApi, root: MlflowRun): Promise<MlflowRun[]> {
  const out: MlflowRun[] = [];
  const visit = async (run: MlflowRun, depth: number): Promise<void> => {
    if (depth > 32) return;
    const children = ((await childRuns(api, [run])).get(run.runId) ?? [])
      .sort((a, b) => (a.startTime ?? 0) - (b.startTime ?? 0) || (a.runId < b.runId ? -1 : 1));
    for (const child of children) {
      out.push(child);
      await visit(child, depth + 1);
    }
  };
  await visit(root, 0);
  return out;
}

function newestFirst(a: Port.ModelVersion, b: Port.ModelVersion): number {
  return (b.createdAt ?? 0) - (a.createdAt ?? 0) || (a.version < b.version ? 1 : a.version > b.version ? -1 : 0);
}
