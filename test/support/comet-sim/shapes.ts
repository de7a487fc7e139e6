/** Read shapes built from records, with the field names of the reference (§3). */
import { REST_ROOT, Path } from './constants';
import type { SimState } from './state';
import type { AssetRecord, ExperimentRecord, ProjectRecord } from './types';

/** ExperimentMeta (§3 "Experiments in a project"). */
export function experimentMeta(state: SimState, e: ExperimentRecord) {
  const project = state.projectOf(e);
  return {
    experimentKey: e.experimentKey,
    experimentName: e.experimentName,
    optimizationId: null,
    projectId: project.projectId,
    projectName: project.projectName,
    workspaceName: project.workspaceName,
    userName: e.userName,
    filePath: null,
    fileName: null,
    durationMillis: (e.endTimeMillis ?? e.lastUpdated) - e.startTimeMillis,
    startTimeMillis: e.startTimeMillis,
    endTimeMillis: e.endTimeMillis,
    archived: e.archived,
    running: e.running,
    throttle: false,
  };
}

/**
 * Project (§3). Visibility is sent as `isPublic` only: the current docs show `isPublic`, an older recorded
 * response `public` (Corrections 1). Sending the newer spelling alone makes an adapter that reads only
 * `public` fail here; the adapter should read `public ?? isPublic`.
 */
export function projectJson(state: SimState, p: ProjectRecord) {
  return {
    projectId: p.projectId,
    projectName: p.projectName,
    ownerUserName: p.ownerUserName,
    projectDescription: p.projectDescription,
    workspaceName: p.workspaceName,
    numberOfExperiments: state.experimentsOf(p.projectId).length,
    lastUpdated: p.lastUpdated,
    isPublic: p.isPublic,
  };
}

const IMAGE_TYPES = new Set(['image']);

/** Asset (§3 "Assets"); `metadata` is a JSON *string* or null. */
export function assetJson(origin: string, experimentKey: string, a: AssetRecord) {
  const link = a.remoteLink ?? `${origin}${REST_ROOT}${Path.getAsset}?experimentKey=${experimentKey}&assetId=${a.assetId}`;
  return {
    fileName: a.fileName,
    fileSize: a.bytes.length,
    runContext: a.context,
    step: a.step,
    remote: a.remoteLink !== null,
    link,
    compressedAssetLink: link,
    s3Link: link,
    createdAt: a.createdAt,
    dir: a.type,
    canView: IMAGE_TYPES.has(a.type),
    audio: a.type === 'audio',
    video: a.type === 'video',
    histogram: a.type === 'histogram3d' || a.type === 'histogram_combined_3d',
    image: IMAGE_TYPES.has(a.type),
    type: a.type,
    metadata: a.metadata,
    assetId: a.assetId,
    tags: a.tags,
    curlDownload: `curl -H 'Authorization: <API_KEY>' '${link}'`,
    experimentKey,
  };
}
