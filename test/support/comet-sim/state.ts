/**
 * The in-memory store: API keys bound to workspaces, projects, experiments with everything logged to them,
 * and the model registry. No HTTP here; access checks that answer with Comet's errors are in access.ts.
 */
import { createHash, randomBytes } from 'node:crypto';
import type {
  AssetRecord,
  ExperimentRecord,
  KeyRecord,
  MetricPoint,
  ProjectRecord,
  RegistryModelRecord,
  ValueEntry,
} from './types';
import { MODEL_ASSET_TYPE } from './constants';

/** Comet's ids and keys are 32 lowercase hex characters. */
export function newId(): string {
  return randomBytes(16).toString('hex');
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 10);
}

/** The workspace a key gets when nothing else binds it: derived from the key, never containing it. */
export function defaultWorkspaceName(apiKey: string): string {
  return `ws-${shortHash(apiKey)}`;
}

export class SimState {
  readonly keys = new Map<string, KeyRecord>();
  readonly workspaces = new Set<string>();
  readonly projects = new Map<string, ProjectRecord>();
  readonly experiments = new Map<string, ExperimentRecord>();
  readonly registryModels = new Map<string, RegistryModelRecord>();

  constructor(apiKeys: readonly string[]) {
    for (const apiKey of apiKeys) {
      const ws = defaultWorkspaceName(apiKey);
      this.bindKey(apiKey, [ws], ws);
    }
  }

  /** Accepts `apiKey` and binds it to `workspaces` (created when new), replacing any earlier binding. */
  bindKey(apiKey: string, workspaces: readonly string[], defaultWorkspace?: string, userName?: string): KeyRecord {
    if (apiKey === '') throw new Error('comet-sim: an API key must not be empty');
    if (workspaces.length === 0) throw new Error(`comet-sim: key must be bound to at least one workspace`);
    const def = defaultWorkspace ?? workspaces[0];
    if (!workspaces.includes(def)) throw new Error(`comet-sim: default workspace '${def}' is not among the key's workspaces`);
    for (const ws of workspaces) this.workspaces.add(ws);
    const record: KeyRecord = {
      apiKey,
      userName: userName ?? `user-${shortHash(apiKey)}`,
      workspaces: [def, ...workspaces.filter((w) => w !== def)],
      defaultWorkspace: def,
    };
    this.keys.set(apiKey, record);
    return record;
  }

  findProject(workspaceName: string, projectName: string): ProjectRecord | undefined {
    for (const p of this.projects.values()) {
      if (p.workspaceName === workspaceName && p.projectName === projectName) return p;
    }
    return undefined;
  }

  projectsOf(workspaceName: string): ProjectRecord[] {
    return [...this.projects.values()].filter((p) => p.workspaceName === workspaceName);
  }

  createProject(workspaceName: string, projectName: string, owner: string, description = '', isPublic = false): ProjectRecord {
    const now = Date.now();
    const project: ProjectRecord = {
      projectId: newId(),
      projectName,
      workspaceName,
      ownerUserName: owner,
      projectDescription: description,
      isPublic,
      createdAt: now,
      lastUpdated: now,
      notes: '',
    };
    this.projects.set(project.projectId, project);
    return project;
  }

  /** The project's experiments in creation order; `archived` undefined means all of them. */
  experimentsOf(projectId: string, archived?: boolean): ExperimentRecord[] {
    const out: ExperimentRecord[] = [];
    for (const e of this.experiments.values()) {
      if (e.projectId === projectId && (archived === undefined || e.archived === archived)) out.push(e);
    }
    return out;
  }

  projectOf(experiment: ExperimentRecord): ProjectRecord {
    const project = this.projects.get(experiment.projectId);
    if (project === undefined) throw new Error(`comet-sim: experiment ${experiment.experimentKey} lost its project`);
    return project;
  }

  createExperiment(project: ProjectRecord, experimentName: string | null, userName: string, key = newId()): ExperimentRecord {
    if (this.experiments.has(key)) throw new Error(`comet-sim: experiment key ${key} already exists`);
    const now = Date.now();
    const experiment: ExperimentRecord = {
      experimentKey: key,
      experimentName,
      projectId: project.projectId,
      userName,
      startTimeMillis: now,
      endTimeMillis: null,
      archived: false,
      running: true,
      hasCrashed: false,
      error: null,
      lastUpdated: now,
      metrics: [],
      metricsByName: new Map(),
      parameters: [],
      others: [],
      tags: [],
      assets: [],
      models: [],
      details: { code: null, output: [], systemDetails: {}, gitMetadata: null, gitPatch: null, html: null, graph: null, dependencies: [] },
    };
    this.experiments.set(key, experiment);
    project.lastUpdated = now;
    return experiment;
  }

  deleteExperiment(experiment: ExperimentRecord): void {
    this.experiments.delete(experiment.experimentKey);
    this.touch(experiment);
  }

  /** Records a write: the experiment's and its project's `lastUpdated`. */
  touch(experiment: ExperimentRecord): void {
    const now = Date.now();
    experiment.lastUpdated = now;
    const project = this.projects.get(experiment.projectId);
    if (project !== undefined) project.lastUpdated = now;
  }

  addMetricPoints(experiment: ExperimentRecord, points: readonly MetricPoint[]): void {
    for (const point of points) {
      experiment.metrics.push(point);
      const series = experiment.metricsByName.get(point.metricName);
      if (series === undefined) experiment.metricsByName.set(point.metricName, [point]);
      else series.push(point);
    }
    this.touch(experiment);
  }

  addParameters(experiment: ExperimentRecord, entries: readonly ValueEntry[]): void {
    experiment.parameters.push(...entries);
    this.touch(experiment);
  }

  addOthers(experiment: ExperimentRecord, entries: readonly ValueEntry[]): void {
    experiment.others.push(...entries);
    this.touch(experiment);
  }

  /** Appends tags not already present (Comet's tags behave as a set; `write/experiment/tags` appends, §5). */
  addTags(experiment: ExperimentRecord, tags: readonly string[]): void {
    for (const tag of tags) if (!experiment.tags.includes(tag)) experiment.tags.push(tag);
    this.touch(experiment);
  }

  /**
   * Stores an asset. With `overwrite`, an asset of the same file name and type is replaced in place (keeping
   * its id). A `model-element` asset with a grouping name joins (or creates) that experiment model.
   */
  addAsset(experiment: ExperimentRecord, asset: AssetRecord, overwrite: boolean): AssetRecord {
    const existing = overwrite
      ? experiment.assets.findIndex((a) => a.fileName === asset.fileName && a.type === asset.type)
      : -1;
    let stored = asset;
    if (existing >= 0) {
      stored = { ...asset, assetId: experiment.assets[existing].assetId };
      experiment.assets[existing] = stored;
    } else {
      experiment.assets.push(asset);
    }
    if (stored.type === MODEL_ASSET_TYPE && stored.groupingName !== null) {
      let model = experiment.models.find((m) => m.modelName === stored.groupingName);
      if (model === undefined) {
        model = { experimentModelId: newId(), experimentKey: experiment.experimentKey, modelName: stored.groupingName, assetIds: [] };
        experiment.models.push(model);
      }
      if (!model.assetIds.includes(stored.assetId)) model.assetIds.push(stored.assetId);
    }
    this.touch(experiment);
    return stored;
  }

  /** Finds an experiment model by id across all experiments. */
  findExperimentModel(experimentModelId: string): { experiment: ExperimentRecord; modelName: string } | undefined {
    for (const experiment of this.experiments.values()) {
      const model = experiment.models.find((m) => m.experimentModelId === experimentModelId);
      if (model !== undefined) return { experiment, modelName: model.modelName };
    }
    return undefined;
  }

  workspaceOf(experiment: ExperimentRecord): string {
    return this.projectOf(experiment).workspaceName;
  }
}
