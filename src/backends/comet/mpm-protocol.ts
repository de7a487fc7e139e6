/**
 * Protocol facts of Comet MPM (model production monitoring), named once, from docs/monitoring.md's Comet
 * section: ingestion below `{comet}/mpm/v2/`, reads below `{comet}/api/mpm/`.
 */

/** Ingestion mount: the SDK's `base = <comet url>/mpm/` plus API version `v2/` (C.1). */
export const MPM_MOUNT = '/mpm/v2/';
/** Read API mount: the Comet root's `api/mpm/` (C.4); routes carry their own version. */
export const MPM_API_MOUNT = '/api/mpm/';

export const MpmRoute = {
  eventsBatch: 'events/batch',
  labelsBatch: 'labels/batch',
  workspaces: 'v3/workspaces',
  modelDetails: 'v2/model/details',
  numberOfPredictions: 'v2/model/numberOfPredictions',
  drift: 'v2/features/drift',
  distribution: 'v2/features/distribution',
} as const;
export type MpmRouteName = (typeof MpmRoute)[keyof typeof MpmRoute];

export const MpmLimits = {
  /** Events per ingestion request: the SDK's `mpm_max_batch_size` (C.3); the server's ceiling is undocumented. */
  BATCH_MAX_EVENTS: 1000,
} as const;

/** The read API's intervals (C.4): hourly and daily only. */
export const MPM_INTERVALS = { HOUR: 'HOURLY', DAY: 'DAILY' } as const;

/** The outbox lane of one model version: its events are delivered in order, one request at a time. */
export function mpmLane(workspace: string, modelName: string, version: string): string {
  return `mpm:${workspace}/${modelName}/${version}`;
}
