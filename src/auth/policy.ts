/**
 * The access policy of the embedded store: one row per port method, saying which role it needs, how the
 * workspace of its target is found, and how an invisible target is shown. `Policy` is a mapped type over the
 * port, so a method without a row does not compile. Roles: see roles.ts; the checks: guard.ts.
 */
import type { Asset, DomainName, Domains, Experiment, MetricHistory, MetricHistoryRequest, OutputLine, Page } from '../backends/port';
import { NotFoundError } from '../errors';
import { custom, inWorkspace, onExperiment, ownOnly, perExperiment, perWorkspace, type Rule } from './rules';
import { may, readsEverything, roleIncludes } from './roles';

export type Policy = { readonly [D in DomainName]: { readonly [M in keyof Domains[D]]-?: Rule<Domains[D][M]> } };

const none = (): never[] => [];
const emptyHistory = (request: MetricHistoryRequest): MetricHistory =>
  ({ points: [], cursors: [], hasNextPage: false, hasPreviousPage: false, totalCount: 0, sampled: request.samples != null });
const emptyPage = (): Page<Asset> => ({ items: [], cursors: [], hasNextPage: false, hasPreviousPage: false, totalCount: 0 });
const emptyOutput = (): Page<OutputLine> => ({ items: [], cursors: [], hasNextPage: false, hasPreviousPage: false, totalCount: 0 });
const isExperiment = (row: Experiment | Error | null): row is Experiment => row !== null && !(row instanceof Error);

export const POLICY: Policy = {
  experiments: {
    // Experiment keys name no workspace: rows the caller cannot read are missing (null) or left out.
    get: custom(async (guard, who, _caller, call) => {
      const rows = await call();
      guard.remember(rows.filter(isExperiment));
      if (readsEverything(who)) return rows;
      return rows.map((row) => (isExperiment(row) && !may(who, row.workspace, 'read') ? null : row));
    }),
    list: custom(async (guard, who, _caller, call, request) => {
      guard.requireIn(who, request.project.workspace, 'read', 'listing its experiments');
      const page = await call();
      // A dashboard's nested reads (tags, metrics) come next for exactly these keys: no lookup needed then.
      guard.remember(page.items);
      return page;
    }),
    children: custom(async (guard, who, _caller, call) => {
      const rows = await call();
      for (const row of rows) if (!(row instanceof Error)) guard.remember(row);
      if (readsEverything(who)) return rows;
      return rows.map((row) => (row instanceof Error ? row : row.filter((child) => may(who, child.workspace, 'read'))));
    }),
    create: custom(async (guard, who, caller, call, input) => {
      guard.requireIn(who, input.workspace, 'write', 'createExperiment');
      if (input.parentKey) await guard.requireOn(caller, who, input.parentKey, 'read', 'naming it as parent');
      return call();
    }),
    end: onExperiment('write', (input) => input.experimentKey, 'endExperiment'),
    update: onExperiment('write', (input) => input.experimentKey, 'updateExperiment'),
    restore: onExperiment('write', (key) => key, 'restoreExperiment'),
    archive: onExperiment('write', (key) => key, 'archiveExperiment'),
    delete: custom(async (guard, who, caller, call, key, options) => {
      try {
        await guard.requireOn(caller, who, key, 'admin', 'deleteExperiment');
      } catch (error) {
        // A retried delete finds its experiment gone: it answers from this key's own idempotency record, if
        // there is one (`once` only replays here: its work rethrows NOT_FOUND), and writes nothing either way.
        const claim = options?.idempotency;
        if (!claim || !(error instanceof NotFoundError)) throw error;
        await guard.inner.once(caller, claim, () => Promise.reject(error));
        return;
      }
      return call();
    }),
  },
  projects: {
    listWorkspaces: custom(async (_guard, who, _caller, call) => {
      const all = await call();
      return readsEverything(who) ? all : all.filter((w) => may(who, w.name, 'read'));
    }),
    getWorkspaces: perWorkspace((names) => names),
    get: perWorkspace((refs) => refs.map((r) => r.workspace)),
    list: inWorkspace('read', (workspace) => workspace, 'listing its projects'),
    create: inWorkspace('admin', (input) => input.workspace, 'createProject'),
    update: inWorkspace('admin', (input) => input.workspace, 'updateProject'),
    delete: inWorkspace('admin', (input) => input.workspace, 'deleteProject'),
  },
  metrics: {
    summaries: perExperiment((keys) => keys, none),
    histories: perExperiment((requests) => requests.map((r) => r.experimentKey), (i, requests) => emptyHistory(requests[i])),
    log: onExperiment('write', (key) => key, 'logMetrics'),
  },
  attributes: {
    parameters: perExperiment((keys) => keys, none),
    tags: perExperiment((keys) => keys, none),
    others: perExperiment((keys) => keys, none),
    logParameters: onExperiment('write', (key) => key, 'logParameters'),
    logOthers: onExperiment('write', (key) => key, 'logOthers'),
    addTags: onExperiment('write', (key) => key, 'addTags'),
    removeTags: onExperiment('write', (key) => key, 'removeTags'),
  },
  assets: {
    list: perExperiment((requests) => requests.map((r) => r.experimentKey), emptyPage),
    // An asset of an experiment the caller cannot see is missing, like the experiment.
    get: perExperiment((refs) => refs.map((r) => r.experimentKey), () => null),
    models: perExperiment((keys) => keys, none),
    open: onExperiment('read', (key) => key, 'downloading an asset', 'null'),
    put: onExperiment('write', (input) => input.experimentKey, 'uploading an asset'),
    checkUpload: onExperiment('write', (key) => key, 'uploading an asset'),
    delete: onExperiment('write', (key) => key, 'deleteAsset'),
  },
  registry: {
    models: perWorkspace((refs) => refs.map((r) => r.workspace)),
    list: inWorkspace('read', (workspace) => workspace, 'listing its registered models'),
    versions: perWorkspace((refs) => refs.map((r) => r.workspace)),
    // The source run must be visible, the target workspace writable, and with includeChildren every descendant readable.
    register: custom(async (guard, who, caller, call, input) => {
      if (!(who.everywhere && roleIncludes(who.everywhere, 'write'))) {
        const source = await guard.experimentWorkspace(caller, who, input.experimentKey);
        guard.requireIn(who, input.workspace?.trim() || source, 'write', 'registerModel');
        if (input.includeChildren) await guard.requireDescendantsReadable(caller, who, input.experimentKey);
      }
      return call();
    }),
    updateVersion: inWorkspace('write', (input) => input.workspace, 'updateModelVersion'),
    deleteVersion: inWorkspace('admin', (ref) => ref.workspace, 'deleteModelVersion'),
  },
  deadLetters: {
    // A key's own letters, scoped by the backend (the embedded store keeps none: it never queues).
    list: ownOnly(),
    replay: ownOnly(),
    discard: ownOnly(),
  },
  details: {
    get: perExperiment((keys) => keys, () => null),
    output: perExperiment((requests) => requests.map((r) => r.experimentKey), emptyOutput),
    curves: perExperiment((keys) => keys, none),
    projectNotes: perWorkspace((refs) => refs.map((r) => r.workspace)),
    projectColumns: perWorkspace((refs) => refs.map((r) => r.workspace)),
    update: onExperiment('write', (input) => input.experimentKey, 'updateRunDetails'),
    appendOutput: onExperiment('write', (key) => key, 'appendOutput'),
    logCurve: onExperiment('write', (input) => input.experimentKey, 'logCurve'),
    setProjectNotes: inWorkspace('write', (ref) => ref.workspace, 'setProjectNotes'),
  },
  monitoring: {
    // A model version belongs to its workspace: logging needs write there, every read names one per slot.
    log: inWorkspace('write', (ref) => ref.workspace, 'logPredictions'),
    logLabels: inWorkspace('write', (ref) => ref.workspace, 'logLabels'),
    logReference: inWorkspace('write', (ref) => ref.workspace, 'logReferenceData'),
    predictions: perWorkspace((requests) => requests.map((r) => r.ref.workspace)),
    counts: perWorkspace((requests) => requests.map((r) => r.ref.workspace)),
    distributions: perWorkspace((requests) => requests.map((r) => r.ref.workspace)),
    drift: perWorkspace((requests) => requests.map((r) => r.ref.workspace)),
    labelMetrics: perWorkspace((requests) => requests.map((r) => r.ref.workspace)),
    features: perWorkspace((refs) => refs.map((r) => r.workspace)),
  },
};
