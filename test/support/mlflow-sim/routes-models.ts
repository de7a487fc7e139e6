/** Registered models, their tags and aliases (§6.1, §6.2). */
import { checkKey, checkTagValue, tagMap } from './checks';
import { Limits, Path } from './constants';
import { alreadyExists, invalid, notFound } from './errors';
import { STRING_OPS } from './filter';
import { empty, json, type Route, type SimRequest } from './route';
import { searchRegistry, type RegistrySearch } from './registry-search';
import { compact, modelJson, versionJson } from './shapes';
import type { RegisteredModelRecord } from './types';
import { decodeObject, decodeQuery, int64, KEY_VALUE, messages, str, strings } from './validate';

const NAME = { name: str.required } as const;

function checkModelName(name: string): string {
  if (name === '') throw invalid("Missing value for required parameter 'name'.");
  return name;
}

/**
 * An alias matches `^[\w\-]*$`, is at most 255 characters, and is neither `latest` nor `v<digits>`, both
 * reserved; both reserved words are refused in any case (§6.2).
 */
export function checkAlias(alias: string): string {
  if (alias === '') throw invalid("Missing value for required parameter 'alias'.");
  if (alias.length > Limits.ALIAS_MAX_CHARS) throw invalid(`Alias '${alias.slice(0, 40)}...' is longer than ${Limits.ALIAS_MAX_CHARS} characters`);
  if (!/^[\w-]*$/.test(alias)) throw invalid(`Invalid alias name: '${alias}'. Names may only contain alphanumerics, underscores and dashes.`);
  if (alias.toLowerCase() === 'latest' || /^v\d+$/i.test(alias)) {
    throw invalid(`'${alias}' is a reserved alias name (latest and v<number> are reserved). Use a different alias.`);
  }
  return alias;
}

/** A model version is a whole number, sent as a string (§6.1). */
export function checkVersion(version: string): string {
  if (!/^\d+$/.test(version)) throw invalid(`Model version must be an integer, got '${version}'`);
  return String(Number(version));
}

const touch = (req: SimRequest, m: RegisteredModelRecord) => void (m.lastUpdatedTimestamp = req.state.now());

const MODEL_SEARCH: RegistrySearch<RegisteredModelRecord> = {
  what: 'registered model',
  attributes: { name: { get: (m) => m.name, ops: STRING_OPS, kind: 'string' } },
  tags: (m) => m.tags,
  orderKeys: {
    name: (m) => m.name,
    creation_timestamp: (m) => m.creationTimestamp,
    last_updated_timestamp: (m) => m.lastUpdatedTimestamp,
  },
  defaultOrder: [{ get: (m) => m.name, ascending: true }],
  defaultResults: Limits.MODELS_DEFAULT_RESULTS,
  maxResults: Limits.MODELS_MAX_RESULTS,
};

export const modelRoutes: readonly Route[] = [
  {
    method: 'POST',
    name: Path.modelCreate,
    body: 'json',
    handle: (req) => {
      const b = decodeObject(req.json, { ...NAME, tags: messages(KEY_VALUE).optional, description: str.optional }, Path.modelCreate);
      const name = checkModelName(b.name);
      if (req.state.models.has(name)) throw alreadyExists(`Registered Model (name=${name}) already exists.`);
      const now = req.state.now();
      const m: RegisteredModelRecord = {
        name, creationTimestamp: now, lastUpdatedTimestamp: now, description: b.description ?? '',
        tags: tagMap(b.tags), aliases: new Map(), versions: new Map(), lastVersion: 0,
      };
      req.state.models.set(name, m);
      return json({ registered_model: modelJson(m) });
    },
  },
  {
    method: 'GET',
    name: Path.modelGet,
    body: 'none',
    handle: (req) => json({ registered_model: modelJson(req.state.requireModel(decodeQuery(req.query, NAME, Path.modelGet).name)) }),
  },
  {
    method: 'GET',
    name: Path.modelSearch,
    body: 'none',
    handle: (req) => {
      const q = decodeQuery(req.query, { filter: str.optional, max_results: int64.optional, order_by: strings.optional, page_token: str.optional }, Path.modelSearch, ['order_by']);
      const page = searchRegistry([...req.state.models.values()], MODEL_SEARCH, q);
      return json(compact({ registered_models: page.items.map(modelJson), next_page_token: page.nextPageToken }));
    },
  },
  {
    method: 'POST',
    name: Path.modelRename,
    body: 'json',
    handle: (req) => {
      const b = decodeObject(req.json, { ...NAME, new_name: str.required }, Path.modelRename);
      const m = req.state.requireModel(b.name);
      const newName = checkModelName(b.new_name);
      if (newName !== m.name && req.state.models.has(newName)) throw alreadyExists(`Registered Model (name=${newName}) already exists.`);
      req.state.models.delete(m.name);
      m.name = newName;
      touch(req, m);
      req.state.models.set(newName, m);
      return json({ registered_model: modelJson(m) });
    },
  },
  {
    method: 'PATCH',
    name: Path.modelUpdate,
    body: 'json',
    handle: (req) => {
      const b = decodeObject(req.json, { ...NAME, description: str.optional }, Path.modelUpdate);
      const m = req.state.requireModel(b.name);
      if (b.description !== undefined) m.description = b.description;
      touch(req, m);
      return json({ registered_model: modelJson(m) });
    },
  },
  {
    method: 'DELETE',
    name: Path.modelDelete,
    body: 'json',
    handle: (req) => {
      const m = req.state.requireModel(decodeObject(req.json, NAME, Path.modelDelete).name);
      req.state.models.delete(m.name); // its versions and aliases go with it
      return empty();
    },
  },
  {
    method: 'POST',
    name: Path.modelSetTag,
    body: 'json',
    handle: (req) => {
      const b = decodeObject(req.json, { ...NAME, key: str.required, value: str.optional }, Path.modelSetTag);
      const value = checkTagValue(checkKey(b.key, 'Tag'), b.value ?? '');
      const m = req.state.requireModel(b.name);
      m.tags.set(b.key, value);
      touch(req, m);
      return empty();
    },
  },
  {
    method: 'DELETE',
    name: Path.modelDeleteTag,
    body: 'json',
    handle: (req) => {
      const b = decodeObject(req.json, { ...NAME, key: str.required }, Path.modelDeleteTag);
      const m = req.state.requireModel(b.name);
      if (!m.tags.delete(b.key)) throw notFound(`No tag with key '${b.key}' on registered model '${b.name}'`);
      touch(req, m);
      return empty();
    },
  },
  {
    method: 'POST',
    name: Path.modelAlias,
    body: 'json',
    handle: (req) => {
      const b = decodeObject(req.json, { ...NAME, alias: str.required, version: str.required }, Path.modelAlias);
      const alias = checkAlias(b.alias);
      const { model, version } = req.state.requireVersion(b.name, checkVersion(b.version));
      model.aliases.set(alias, version.version); // an alias moves when set again
      touch(req, model);
      return empty();
    },
  },
  {
    method: 'DELETE',
    name: Path.modelAlias,
    body: 'json',
    handle: (req) => {
      const b = decodeObject(req.json, { ...NAME, alias: str.required }, Path.modelAlias);
      const m = req.state.requireModel(b.name);
      // Deleting an alias that is not set changes nothing and succeeds (a sim choice, §6.2).
      if (m.aliases.delete(checkAlias(b.alias))) touch(req, m);
      return empty();
    },
  },
  {
    method: 'GET',
    name: Path.modelAlias,
    body: 'none',
    handle: (req) => {
      const q = decodeQuery(req.query, { ...NAME, alias: str.required }, Path.modelAlias);
      const m = req.state.requireModel(q.name);
      const version = m.aliases.get(q.alias);
      if (version === undefined) throw notFound(`Registered model alias ${q.alias} not found.`);
      return json({ model_version: versionJson(m.name, req.state.requireVersion(m.name, version).version, m.aliases) });
    },
  },
];
