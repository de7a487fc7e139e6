/** Registry calls for one caller: registered models and their versions, decoded, whole lists followed. */
import type { KeyValue, MlflowApi } from './api';
import { orNull, quoteValue } from './api';
import { decodeModel, decodeRegistryPage, decodeVersion, type MlflowModel, type MlflowVersion } from './decode';
import { Route } from './protocol';

export async function getModel(api: MlflowApi, name: string): Promise<MlflowModel | null> {
  const answer = await orNull(api.call({ method: 'GET', route: Route.modelGet, query: { name }, idempotent: true }));
  return answer === null ? null : decodeModel((answer as { registered_model?: unknown }).registered_model);
}

export async function searchModels(api: MlflowApi): Promise<MlflowModel[]> {
  const out: MlflowModel[] = [];
  let token: string | null = null;
  do {
    const answer = await api.call({ method: 'GET', route: Route.modelSearch, idempotent: true, query: { max_results: 1000, page_token: token } });
    const page = decodeRegistryPage(answer, 'registered_models', decodeModel);
    out.push(...page.items);
    token = page.next;
  } while (token !== null);
  return out;
}

export async function createModel(api: MlflowApi, name: string, description: string | null, tags: KeyValue[]): Promise<void> {
  await api.call({ method: 'POST', route: Route.modelCreate, idempotent: false, json: { name, tags, ...(description && { description }) } });
}

/** Every version of a model; [] when the name holds a character no filter literal can quote. */
export async function versionsOf(api: MlflowApi, name: string): Promise<MlflowVersion[]> {
  const literal = quoteValue(name);
  if (literal === null) return [];
  const out: MlflowVersion[] = [];
  let token: string | null = null;
  do {
    const answer = await api.call({ method: 'GET', route: Route.versionSearch, idempotent: true, query: { filter: `name = ${literal}`, page_token: token } });
    const page = decodeRegistryPage(answer, 'model_versions', decodeVersion);
    out.push(...page.items.filter((v) => v.name === name));
    token = page.next;
  } while (token !== null);
  return out;
}

export async function createVersion(api: MlflowApi, body: { name: string; source: string; run_id: string; tags: KeyValue[]; description?: string }): Promise<MlflowVersion> {
  const answer = await api.call({ method: 'POST', route: Route.versionCreate, idempotent: false, json: body });
  return decodeVersion((answer as { model_version?: unknown }).model_version);
}

export async function transitionStage(api: MlflowApi, name: string, version: string, stage: string): Promise<void> {
  await api.call({ method: 'POST', route: Route.versionTransitionStage, idempotent: true, json: { name, version, stage, archive_existing_versions: false } });
}

export async function updateDescription(api: MlflowApi, name: string, version: string, description: string): Promise<void> {
  await api.call({ method: 'PATCH', route: Route.versionUpdate, idempotent: true, json: { name, version, description } });
}

export async function setVersionTag(api: MlflowApi, name: string, version: string, key: string, value: string): Promise<void> {
  await api.call({ method: 'POST', route: Route.versionSetTag, idempotent: true, json: { name, version, key, value } });
}

export async function deleteVersionTag(api: MlflowApi, name: string, version: string, key: string): Promise<void> {
  await api.call({ method: 'DELETE', route: Route.versionDeleteTag, idempotent: true, json: { name, version, key } });
}

export async function setAlias(api: MlflowApi, name: string, alias: string, version: string): Promise<void> {
  await api.call({ method: 'POST', route: Route.modelAlias, idempotent: true, json: { name, alias, version } });
}

export async function deleteAlias(api: MlflowApi, name: string, alias: string): Promise<void> {
  await api.call({ method: 'DELETE', route: Route.modelAlias, idempotent: true, json: { name, alias } });
}

export async function deleteVersion(api: MlflowApi, name: string, version: string): Promise<void> {
  await api.call({ method: 'DELETE', route: Route.versionDelete, idempotent: true, json: { name, version } });
}
