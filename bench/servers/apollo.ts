/**
 * Apollo Server 5 alone on TrackQL's own type-graphql schema, backend and per-request loaders, without the
 * gateway's layers (limits, logging, metrics, trace context, access control, persisted operations): what the
 * frameworks cost before TrackQL adds anything. Own process: `node apollo.js <dataDir>`; prints `listening <url>`.
 */
import 'reflect-metadata';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { createSqliteBackend } from '../../src/backends/sqlite';
import { loadConfig } from '../../src/config';
import { createLiveHub } from '../../src/live';
import { createLoaders } from '../../src/loaders';
import type { RequestContext } from '../../src/resolvers/context';
import { buildTrackqlSchema } from '../../src/schema/build';
import { ANONYMOUS } from '../../src/server/identity';
import { createServices } from '../../src/services';

async function main(): Promise<void> {
  const dataDir = process.argv[2];
  const config = loadConfig({ TRACKQL_DATA_DIR: dataDir, TRACKQL_LOG_LEVEL: 'silent' });
  const backend = createSqliteBackend({ dataDir });
  const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  const services = createServices(backend, config, ['bench-url-secret-0123456789'], createLiveHub(config, backend, silent));
  // As the gateway runs it: without the cache-control plugin's per-field hook (the schema has no hints).
  const server = new ApolloServer<RequestContext>({ schema: await buildTrackqlSchema(), plugins: [ApolloServerPluginCacheControlDisabled()] });
  const { url } = await startStandaloneServer(server, {
    listen: { port: 0, host: '127.0.0.1' },
    context: async () => ({ caller: ANONYMOUS, loaders: createLoaders(backend, ANONYMOUS), services, backend, config, baseUrl: 'http://127.0.0.1' }),
  });
  process.stdout.write(`listening ${url.replace(/\/$/, '')}\n`);
  process.once('SIGTERM', () => void server.stop().then(() => process.exit(0)));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
