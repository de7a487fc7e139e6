/** Model versions: create, get, search, update, delete, stage transitions, download URI, tags (§6.1). */
import { checkKey, checkTagValue, tagMap } from './checks';
import { Limits, Path, STAGES, type Stage } from './constants';
import { invalid, notFound } from './errors';
import { STRING_OPS } from './filter';
import { empty, json, type Route, type SimRequest } from './route';
import { searchRegistry, type RegistrySearch } from './registry-search';
import { checkVersion } from './routes-models';
import { compact, versionJson } from './shapes';
import type { ModelVersionRecord, RegisteredModelRecord } from './types';
import { bool, decodeObject, decodeQuery, int64, KEY_VALUE, messages, str, strings } from './validate';

const NAME_VERSION = { name: str.required, version: str.required } as const;

function find(req: SimRequest, b: { name: string; version: string }) {
  return req.state.requireVersion(b.name, checkVersion(b.version));
}

function touch(req: SimRequest, m: RegisteredModelRecord, v: ModelVersionRecord): void {
  const now = req.state.now();
  v.lastUpdatedTimestamp = now;
  m.lastUpdatedTimestamp = now;
}

const answer = (m: RegisteredModelRecord, v: ModelVersionRecord) => json({ model_version: versionJson(m.name, v, m.aliases) });

/** Stages are matched case-insensitively and stored in their canonical spelling (§6.1). */
function stageOf(raw: string): Stage {
  const s = STAGES.find((x) => x.toLowerCase() === raw.toLowerCase());
  if (s === undefined) throw invalid(`Invalid Model Version stage: ${raw}. Value must be one of ${STAGES.join(', ')}.`);
  return s;
}

interface Row {
  model: RegisteredModelRecord;
  version: ModelVersionRecord;
}
const VERSION_SEARCH: RegistrySearch<Row> = {
  what: 'model version',
  attributes: {
    name: { get: (r) => r.model.name, ops: STRING_OPS, kind: 'string' },
    run_id: { get: (r) => r.version.runId, ops: ['=', '!=', 'IN'], kind: 'string' },
    source_path: { get: (r) => r.version.source, ops: STRING_OPS, kind: 'string' },
    version_number: { get: (r) => Number(r.version.version), ops: ['=', '!=', '<', '<=', '>', '>='], kind: 'number' },
  },
  tags: (r) => r.version.tags,
  orderKeys: {
    name: (r) => r.model.name,
    version_number: (r) => Number(r.version.version),
    creation_timestamp: (r) => r.version.creationTimestamp,
    last_updated_timestamp: (r) => r.version.lastUpdatedTimestamp,
  },
  // Name ascending, newest version first (a sim choice, §6.3).
  defaultOrder: [{ get: (r) => r.model.name, ascending: true }, { get: (r) => Number(r.version.version), ascending: false }],
  defaultResults: Limits.VERSIONS_DEFAULT_RESULTS,
  maxResults: Limits.VERSIONS_MAX_RESULTS,
};

export const versionRoutes: readonly Route[] = [
  {
    method: 'POST',
    name: Path.versionCreate,
    body: 'json',
    handle: (req) => {
      const b = decodeObject(req.json, {
        name: str.required, source: str.required, run_id: str.optional, tags: messages(KEY_VALUE).optional,
        run_link: str.optional, description: str.optional,
      }, Path.versionCreate);
      const m = req.state.requireModel(b.name);
      const now = req.state.now();
      // Registration is immediate here: every version is READY at once (a sim choice, §6.1).
      const v: ModelVersionRecord = {
        version: String(++m.lastVersion), creationTimestamp: now, lastUpdatedTimestamp: now, currentStage: 'None',
        description: b.description ?? '', source: b.source, runId: b.run_id ?? '', runLink: b.run_link ?? '',
        status: 'READY', tags: tagMap(b.tags),
      };
      m.versions.set(v.version, v);
      m.lastUpdatedTimestamp = now;
      return answer(m, v);
    },
  },
  {
    method: 'GET',
    name: Path.versionGet,
    body: 'none',
    handle: (req) => {
      const { model, version } = find(req, decodeQuery(req.query, NAME_VERSION, Path.versionGet));
      return answer(model, version);
    },
  },
  {
    method: 'GET',
    name: Path.versionSearch,
    body: 'none',
    handle: (req) => {
      const q = decodeQuery(req.query, { filter: str.optional, max_results: int64.optional, order_by: strings.optional, page_token: str.optional }, Path.versionSearch, ['order_by']);
      const rows = [...req.state.models.values()].flatMap((model) => [...model.versions.values()].map((version) => ({ model, version })));
      const page = searchRegistry(rows, VERSION_SEARCH, q);
      return json(compact({
        model_versions: page.items.map((r) => versionJson(r.model.name, r.version, r.model.aliases)),
        next_page_token: page.nextPageToken,
      }));
    },
  },
  {
    method: 'PATCH',
    name: Path.versionUpdate,
    body: 'json',
    handle: (req) => {
      const b = decodeObject(req.json, { ...NAME_VERSION, description: str.optional }, Path.versionUpdate);
      const { model, version } = find(req, b);
      if (b.description !== undefined) version.description = b.description;
      touch(req, model, version);
      return answer(model, version);
    },
  },
  {
    method: 'DELETE',
    name: Path.versionDelete,
    body: 'json',
    handle: (req) => {
      const { model, version } = find(req, decodeObject(req.json, NAME_VERSION, Path.versionDelete));
      model.versions.delete(version.version);
      for (const [alias, v] of model.aliases) if (v === version.version) model.aliases.delete(alias);
      model.lastUpdatedTimestamp = req.state.now();
      return empty();
    },
  },
  {
    method: 'POST',
    name: Path.versionTransitionStage,
    body: 'json',
    handle: (req) => {
      const b = decodeObject(req.json, { ...NAME_VERSION, stage: str.required, archive_existing_versions: bool.required }, Path.versionTransitionStage);
      const { model, version } = find(req, b);
      const stage = stageOf(b.stage);
      // Archiving others applies only when moving into Staging or Production (§6.1).
      if (b.archive_existing_versions && (stage === 'Staging' || stage === 'Production')) {
        for (const other of model.versions.values()) {
          if (other !== version && other.currentStage === stage) {
            other.currentStage = 'Archived';
            touch(req, model, other);
          }
        }
      }
      version.currentStage = stage;
      touch(req, model, version);
      return answer(model, version);
    },
  },
  {
    method: 'GET',
    name: Path.versionDownloadUri,
    body: 'none',
    handle: (req) => json({ artifact_uri: find(req, decodeQuery(req.query, NAME_VERSION, Path.versionDownloadUri)).version.source }),
  },
  {
    method: 'POST',
    name: Path.versionSetTag,
    body: 'json',
    handle: (req) => {
      const b = decodeObject(req.json, { ...NAME_VERSION, key: str.required, value: str.optional }, Path.versionSetTag);
      const value = checkTagValue(checkKey(b.key, 'Tag'), b.value ?? '');
      const { model, version } = find(req, b);
      version.tags.set(b.key, value);
      touch(req, model, version);
      return empty();
    },
  },
  {
    method: 'DELETE',
    name: Path.versionDeleteTag,
    body: 'json',
    handle: (req) => {
      const b = decodeObject(req.json, { ...NAME_VERSION, key: str.required }, Path.versionDeleteTag);
      const { model, version } = find(req, b);
      if (!version.tags.delete(b.key)) throw notFound(`No tag with key '${b.key}' on model version '${b.name}' version ${b.version}`);
      touch(req, model, version);
      return empty();
    },
  },
];
