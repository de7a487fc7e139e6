/** Decoders of the model registry's answers (§6), into the port's own types. */
import type { ModelVersion, RegisteredModel } from '../port';
import { object, optArray, optBoolean, optNumber, optString, string, stringList } from './json';
import { STAGE_TAG_PREFIX } from './protocol';

/** `registry-model?workspaceName=`: `{registryModels: [...]}`. */
export function decodeRegistryModels(json: unknown, workspace: string): RegisteredModel[] {
  return optArray(object(json, 'registry-model').registryModels, 'registry-model.registryModels').map((m, i) => {
    const at = `registry-model.registryModels[${i}]`;
    const o = object(m, at);
    return {
      id: string(o.registryModelId, `${at}.registryModelId`),
      workspace,
      name: string(o.modelName, `${at}.modelName`),
      description: optString(o.description, `${at}.description`) || null,
      isPublic: optBoolean(o.isPublic, `${at}.isPublic`) ?? false,
      createdAt: optNumber(o.createdAt, `${at}.createdAt`),
      lastUpdatedAt: optNumber(o.lastUpdated, `${at}.lastUpdated`),
    };
  });
}

/**
 * The port's stage and tags from Comet's one tag list: the gateway keeps `stage` as a `stage:`-prefixed tag
 * (see protocol.ts); every other tag (and every legacy stage written by another client) is a tag.
 */
export function splitStageTags(tags: readonly string[]): { stage: string | null; tags: string[] } {
  const stage = tags.find((t) => t.startsWith(STAGE_TAG_PREFIX));
  return { stage: stage ? stage.slice(STAGE_TAG_PREFIX.length) : null, tags: tags.filter((t) => !t.startsWith(STAGE_TAG_PREFIX)) };
}

/** `registry-model/items` (novel API, §6): `{items: [{registryModelItemId, version, tags, status, ...}]}`. */
export function decodeRegistryItems(json: unknown, workspace: string, modelName: string): ModelVersion[] {
  return optArray(object(json, 'registry-model/items').items, 'registry-model/items.items').map((item, i) => {
    const at = `registry-model/items.items[${i}]`;
    const o = object(item, at);
    const { stage, tags } = splitStageTags(stringList(o.tags ?? o.stages, `${at}.tags`));
    const status = optString(o.status, `${at}.status`);
    return {
      id: string(o.registryModelItemId, `${at}.registryModelItemId`),
      workspace,
      modelName,
      version: string(o.version, `${at}.version`),
      stage,
      // Comet's "no status" is the string 'None' in the status list some orgs configure (§6, a sim reading).
      status: status === null || status === '' || status === 'None' ? null : status,
      tags,
      aliases: [],
      comment: optString(o.comment ?? o.versionComment, `${at}.comment`) || null,
      createdAt: optNumber(o.createdAt, `${at}.createdAt`),
      experimentKey: optString(o.experimentKey, `${at}.experimentKey`),
      // The docs say experimentModelName; some clients send modelName (Corrections 7): accept both.
      experimentModelName: optString(o.experimentModelName ?? o.modelName, `${at}.experimentModelName`),
    };
  });
}
