/**
 * The keyv store behind the gateway's caches (Comet upstream reads, automatic persisted queries): in memory
 * per replica by default, or Redis (`TRACKQL_CACHE_URL`, through @keyv/redis) so several replicas share one.
 * A shared store is only ever a cache: its errors are logged and read as misses, never fail a request.
 */
import KeyvRedis, { createClient } from '@keyv/redis';
import Keyv from 'keyv';
import type { Logger } from '../observability/logger';

/** A keyv on Redis under `namespace`; entries of other namespaces (and other apps) are never touched. */
export function createRedisKeyv<T = unknown>(url: string, namespace: string, logger: Logger): Keyv<T> {
  // No offline queue: while Redis is away a command fails at once (a miss) instead of waiting for the
  // reconnect and holding the request that asked; reconnects back off to 2 s.
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: { connectTimeout: 2_000, reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2_000) },
  });
  const store = new KeyvRedis(client, { throwOnConnectError: false, throwOnErrors: false, connectionTimeout: 2_000 });
  // Connect now, not on first use: without an offline queue, the commands of a first request would all miss
  // while the connection is still being made. A failure here is only logged: the client keeps retrying.
  client.connect().catch((error: unknown) => logger.warn('shared cache unreachable at start: serving without it until it answers', {
    namespace, error: error instanceof Error ? error.message : String(error),
  }));
  const keyv = new Keyv<T>({ store, namespace, throwOnErrors: false });
  let warned = false;
  keyv.on('error', (error: unknown) => {
    // Once per outage, not once per request: the cache answers misses meanwhile.
    if (warned) return;
    warned = true;
    logger.warn('shared cache unreachable: serving without it', { namespace, error: error instanceof Error ? error.message : String(error) });
    setTimeout(() => {
      warned = false;
    }, 60_000).unref();
  });
  return keyv;
}
