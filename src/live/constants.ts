/**
 * Protocol facts of the live feed, in one place: channel names (shared by every replica through Redis, so
 * changing one is a wire-format change: bump `CHANNEL_VERSION`), WebSocket close codes, and limits.
 */

/** Version of the channel names and of the message envelope on Redis. Replicas of different versions ignore each other. */
export const CHANNEL_VERSION = 1;
export const CHANNEL_PREFIX = `trackql:live:v${CHANNEL_VERSION}:`;

/** Channel of the metric points of one experiment. */
export function metricChannel(experimentKey: string): string {
  return `${CHANNEL_PREFIX}metric:${experimentKey}`;
}

/** Channel of the experiment events of one project. Names may hold ':' or '/', so they are URI-encoded. */
export function projectChannel(workspace: string, project: string): string {
  return `${CHANNEL_PREFIX}project:${encodeURIComponent(workspace)}/${encodeURIComponent(project)}`;
}

/** Channel of the prediction batches of one model version (names URI-encoded, as for projects). */
export function predictionChannel(workspace: string, modelName: string, version: string): string {
  return `${CHANNEL_PREFIX}predictions:${[workspace, modelName, version].map(encodeURIComponent).join('/')}`;
}

/** Channel of the model version events of a workspace (`modelName` null: every model's). */
export function modelChannel(workspace: string, modelName: string | null): string {
  return `${CHANNEL_PREFIX}model:${encodeURIComponent(workspace)}/${modelName === null ? '*' : `=${encodeURIComponent(modelName)}`}`;
}

/**
 * Close codes the gateway sends on a graphql-ws socket, besides graphql-ws's own (4400 BadRequest and the rest).
 * Not 4429: graphql-ws already uses it for "Too many initialisation requests", and a client matching on the
 * code could not tell the two apart.
 */
export const LiveCloseCode = {
  /** The server is shutting down or restarting: reconnect (graphql-ws clients retry this one). */
  GoingAway: 1001,
  /** `connectionParams` was not an object of string credentials, or too large. Not retried by graphql-ws clients. */
  BadConnectionParams: 4400,
  /** The subscriber did not read its events for `TRACKQL_LIVE_STUCK_MS` while they queued up. */
  SubscriberTooSlow: 4420,
} as const;
export type LiveCloseCode = (typeof LiveCloseCode)[keyof typeof LiveCloseCode];

export const SUBSCRIBER_TOO_SLOW_REASON = 'Subscriber too slow';

/** Largest `connectionParams`, as JSON. Credentials are short; anything bigger is a mistake or an attack. */
export const MAX_CONNECTION_PARAMS_BYTES = 8 * 1024;
/** Longest API key accepted in `connectionParams` (Comet keys are 25 characters; JWT-like keys stay far below). */
export const MAX_API_KEY_LENGTH = 2048;
/** Most metric names one `metricLogged` subscription may filter on. */
export const MAX_SUBSCRIPTION_NAMES = 1000;
/** Most experiment events queued for one subscriber; they cannot be coalesced, so beyond it the subscriber is too slow. */
export const MAX_QUEUED_EXPERIMENT_EVENTS = 1000;
/**
 * Bytes waiting in a socket's send buffer above which its subscribers count as overflowing even before their
 * queue is full: several subscriptions share one socket, and each may have a message in flight.
 */
export const SOCKET_HIGH_WATER_BYTES = 8 * 1024 * 1024;
/** How long shutdown waits for queued events to reach the sockets, then for clients to answer the close. */
export const DRAIN_GRACE_MS = 3000;
/** Most points one poll reads per metric; a longer backlog is caught up over the following polls. */
export const MAX_POLL_POINTS = 5000;
