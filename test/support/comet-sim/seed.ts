/** `seed()` and `dump()`: direct access to the store for tests and benchmarks, bypassing HTTP and counters. */
import { MODEL_ASSET_TYPE } from './constants';
import { newId, type SimState } from './state';
import type { ExperimentDump, ProjectRecord, SeedExperiment, SeedInput, SeedResult, SimStateDump } from './types';
import { metricValueToString, scalarToString } from './validate';

function ownerOf(state: SimState, workspace: string): string {
  for (const k of state.keys.values()) if (k.workspaces.includes(workspace)) return k.userName;
  return 'sim-user';
}

function requireSeedWorkspace(state: SimState, workspace: string): void {
  if (!state.workspaces.has(workspace)) {
    throw new Error(`comet-sim seed: workspace '${workspace}' is not bound to any key; bind it with seed({ keys })`);
  }
}

function seedProject(state: SimState, workspace: string, name: string): ProjectRecord {
  requireSeedWorkspace(state, workspace);
  return state.findProject(workspace, name) ?? state.createProject(workspace, name, ownerOf(state, workspace));
}

function seedExperiment(state: SimState, s: SeedExperiment): string {
  const project = seedProject(state, s.workspace, s.project);
  const e = state.createExperiment(project, s.name ?? null, s.userName ?? ownerOf(state, s.workspace), s.key);
  if (s.startTimeMillis !== undefined) e.startTimeMillis = s.startTimeMillis;
  if (s.endTimeMillis !== undefined) {
    e.endTimeMillis = s.endTimeMillis;
    e.running = s.endTimeMillis === null;
  }
  e.archived = s.archived ?? false;
  const now = Date.now();
  const points = (s.metrics ?? []).map((m) => ({
    metricName: m.metricName,
    metricValue: metricValueToString(m.metricValue, 'seed'),
    step: m.step ?? null,
    epoch: m.epoch ?? null,
    timestamp: m.timestamp ?? now,
    context: m.context ?? null,
  }));
  state.addMetricPoints(e, points);
  const entries = (values: Record<string, string | number | boolean> | undefined) =>
    Object.entries(values ?? {}).map(([name, value]) => ({ name, value: scalarToString(value), step: null, timestamp: now, context: null, source: null }));
  state.addParameters(e, entries(s.parameters));
  state.addOthers(e, entries(s.others));
  state.addTags(e, s.tags ?? []);
  for (const a of s.assets ?? []) {
    state.addAsset(e, {
      assetId: newId(),
      fileName: a.fileName,
      type: a.type ?? (a.groupingName !== undefined ? MODEL_ASSET_TYPE : 'asset'),
      step: a.step ?? null,
      epoch: null,
      context: null,
      metadata: a.metadata === undefined ? null : JSON.stringify(a.metadata),
      tags: [],
      groupingName: a.groupingName ?? null,
      extension: null,
      artifactVersionId: null,
      remoteLink: null,
      createdAt: now,
      bytes: typeof a.bytes === 'string' ? Buffer.from(a.bytes) : a.bytes,
    }, false);
  }
  if (s.details) Object.assign(e.details, { ...s.details, systemDetails: { ...(s.details.systemDetails ?? {}) } });
  return e.experimentKey;
}

export function seedState(state: SimState, input: SeedInput): SeedResult {
  for (const k of input.keys ?? []) state.bindKey(k.apiKey, k.workspaces, k.defaultWorkspace, k.userName);
  for (const p of input.projects ?? []) {
    const project = seedProject(state, p.workspace, p.name);
    if (p.description !== undefined) project.projectDescription = p.description;
    if (p.public !== undefined) project.isPublic = p.public;
  }
  return { experimentKeys: (input.experiments ?? []).map((s) => seedExperiment(state, s)) };
}

/** A JSON-safe deep copy of the whole store; asset bytes as base64. */
export function dumpState(state: SimState): SimStateDump {
  const experiments: Record<string, ExperimentDump> = {};
  for (const e of state.experiments.values()) {
    const project = state.projectOf(e);
    const { metricsByName: _byName, assets, ...rest } = e;
    experiments[e.experimentKey] = structuredClone({
      ...rest,
      workspaceName: project.workspaceName,
      projectName: project.projectName,
      assets: assets.map(({ bytes, ...a }) => ({ ...a, fileSize: bytes.length, bytesBase64: bytes.toString('base64') })),
    });
  }
  return {
    keys: structuredClone([...state.keys.values()]),
    workspaces: [...state.workspaces],
    projects: structuredClone([...state.projects.values()]),
    experiments,
    registryModels: structuredClone([...state.registryModels.values()]),
  };
}
