/**
 * The composition root: config in, a listening gateway out. Builds the backend, services, schema, Apollo
 * Server and the HTTP routes, and owns graceful shutdown.
 */
import 'reflect-metadata';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { createAccessControl } from '../auth';
import type { Backend, Caller } from '../backends/port';
import { createCometBackend, type CometObserver } from '../backends/comet';
import { createMlflowBackend } from '../backends/mlflow';
import { createSqliteBackend } from '../backends/sqlite';
import type { Config } from '../config';
import { InternalError, isTrackqlError } from '../errors';
import { LruMap } from '../lru';
import { createLiveHub } from '../live';
import { GatewayMetrics, cometObserver, runTraced, withTraceIds } from '../observability';
import type { GraphqlObservation } from '../observability/metrics';
import { buildTrackqlSchema } from '../schema/build';
import { createServices } from '../services';
import { cometWorkspaceCheck, createNotify } from '../notify';
import { handleDownload, handleUpload } from './asset-routes';
import { createDashboard } from './dashboard';
import { handleGraphql, type GatewayContext } from './graphql-route';
import { IDE_CSP, applyHttpPolicy } from './http-policy';
import { requestUrl, sendError, sendJson } from './http-util';
import { IDE_ASSET_PREFIX, IDE_HTML, ideAsset } from './ide';
import { listen } from './listen';
import { createLiveWsServer } from './live-ws';
import { createLogger, type Logger } from '../observability/logger';
import { createFormatError } from './plugins/errors';
import { queryLimitsPlugin } from './plugins/limits';
import { liveDrainPlugin } from './plugins/live-drain';
import { jsonStatusPlugin } from './plugins/json-status';
import { metricsPlugin } from './plugins/metrics';
import { nonFiniteVariablesPlugin } from './plugins/non-finite';
import { requestLogPlugin } from './plugins/request-log';
import { createPersistedOperations } from './persisted-operations';
import { FastPath } from './fast-path';
import { MAX_MEMORY_BUCKETS, createRateGuard } from './rate-limit';
import { loadUrlSecrets } from './secrets';
import { createRedisKeyv } from './shared-cache';

export interface Gateway {
  readonly url: string;
  readonly server: Server;
  readonly backend: Backend;
  readonly logger: Logger;
  /** What `/metrics` serves. */
  readonly metrics: GatewayMetrics;
  /** Stops accepting, finishes in-flight requests, closes the backend. Safe to call twice. */
  stop(): Promise<void>;
}

/** `observer`: the Comet backend's metrics and trace hooks (observability/index.ts `cometObserver`). */
export async function createBackend(config: Config, observer?: CometObserver, logger: Logger = createLogger(config.logLevel)): Promise<Backend> {
  switch (config.backend) {
    case 'sqlite':
      return createSqliteBackend({ dataDir: config.dataDir });
    case 'comet':
      return createCometBackend({
        // Shared by every replica when TRACKQL_CACHE_URL names a Redis; per replica, in memory, otherwise.
        cacheStore: config.cacheUrl ? createRedisKeyv(config.cacheUrl, 'trackql-comet', logger) : undefined,
        dataDir: config.dataDir,
        cometUrl: config.cometUrl,
        cometUrlOverride: config.cometUrlOverride,
        allowedOrigins: config.cometAllowedOrigins,
        fallbackApiKey: config.cometApiKey,
        cacheTtlMs: config.cacheTtlSeconds * 1000,
        timeoutMs: config.comet.timeoutMs,
        concurrency: config.comet.concurrency,
        budgetPerHour: config.comet.budgetPerHour,
        queryBudgetShare: config.comet.queryBudgetShare,
        outboxMaxPerKey: config.comet.outboxMaxPerKey,
        // Idempotency records shared by the replicas, as the live feed and the rate limits are.
        redisUrl: config.redisUrl,
        observer,
      });
    case 'mlflow':
      return createMlflowBackend({
        url: config.mlflow.url as string, // loadConfig requires it for this backend
        workspace: config.mlflow.workspace,
        server: { token: config.mlflow.token, username: config.mlflow.username, password: config.mlflow.password },
        dataDir: config.dataDir,
        cacheTtlMs: config.cacheTtlSeconds * 1000,
        outboxMaxPerKey: config.comet.outboxMaxPerKey,
        redisUrl: config.redisUrl,
        observer,
      });
  }
}

export async function startGateway(config: Config, options: { logger?: Logger; backend?: Backend; metrics?: GatewayMetrics } = {}): Promise<Gateway> {
  // Every line written while serving a request names its trace (observability/trace.ts).
  const logger = withTraceIds(options.logger ?? createLogger(config.logLevel));
  const metrics = options.metrics ?? new GatewayMetrics();
  // Before the store opens: a bad manifest stops the start with one line (persisted-operations.ts).
  const persisted = createPersistedOperations(config, logger);
  // API keys of the embedded store (src/auth/): every entry point reaches the store through this wrapper.
  const access = createAccessControl(config, logger);
  // Comet keys Comet has accepted: with the store's own keys, the identities rate limits trust (rate-limit.ts).
  const acceptedCometKeys = new LruMap<string, true>(MAX_MEMORY_BUCKETS);
  const rateGuard = createRateGuard(config, logger, (caller) =>
    access ? access.identify(caller) : acceptedCometKeys.get(caller.keyId) ? caller.keyId : null);
  const observer = { ...cometObserver(metrics), keyAccepted: (keyId: string) => void acceptedCometKeys.set(keyId, true) };
  const store = options.backend ?? (await createBackend(config, observer));
  const backend = access ? access.wrap(store) : store;
  const live = createLiveHub(config, backend, logger); // the live feed: services publish, subscriptions read
  metrics.readFrom({ readiness: () => backend.readiness(), live: () => live.status() });
  // Webhooks, metric alerts and email (src/notify/): the write services queue, a worker delivers.
  const requireAdmin = access ? async (caller: Caller, workspace: string) => access.requireRole(caller, workspace, 'admin') : cometWorkspaceCheck(backend);
  const notify = createNotify(config, backend, requireAdmin, logger, metrics.registry);
  const services = createServices(backend, config, loadUrlSecrets(config.urlSecrets, config.dataDir), live, notify);
  const schema = await buildTrackqlSchema();
  // Node's 5 s default races clients that reuse a connection after a few idle seconds (jobs logging every 5 s,
  // balancers with a 60 s idle timeout): the request lands as the socket closes and is reset, not answered.
  const server = createServer({ keepAliveTimeout: config.keepAliveTimeoutMs });
  const formatError = createFormatError(logger);
  const observeGraphql = (observation: GraphqlObservation) => metrics.observeGraphql(observation);
  // Cached documents executed without Apollo's per-request pipeline, with the same answers (fast-path.ts).
  const fastPath = config.fastPath === 'off' ? null : new FastPath({
    schema, executor: config.fastPath, limits: config.limits, formatError, logger, observe: observeGraphql, served: () => metrics.countFastPath(),
  });
  const apollo = new ApolloServer<GatewayContext>({
    schema,
    introspection: config.introspection,
    includeStacktraceInErrorResponses: false,
    // main.ts owns SIGTERM/SIGINT: Apollo's own handlers would re-raise the signal and skip our clean exit.
    stopOnTerminationSignals: false,
    formatError,
    // The route counts tokens before Apollo sees the text (plugins/limits.ts); this bounds any other path too.
    parseOptions: { maxTokens: config.limits.maxTokens },
    ...persisted.apollo,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer: server }),
      ApolloServerPluginLandingPageDisabled(),
      // No @cacheControl hints in the schema: the default plugin only costs a hook on every field resolved.
      ApolloServerPluginCacheControlDisabled(),
      requestLogPlugin(logger),
      metricsPlugin(observeGraphql),
      queryLimitsPlugin(schema, config.limits),
      nonFiniteVariablesPlugin<GatewayContext>(schema, (context) => context.nonFiniteJson),
      jsonStatusPlugin(),
      liveDrainPlugin(() => liveWs.drain()),
      ...(fastPath ? [fastPath.plugin<GatewayContext>()] : []),
    ],
  });
  await apollo.start();

  const baseUrl = (req: IncomingMessage): string => {
    if (config.publicUrl) return config.publicUrl;
    const host = req.headers.host;
    return host && /^[A-Za-z0-9.[\]:-]+$/.test(host) ? `http://${host}` : `http://${config.host}:${config.port}`;
  };
  const graphqlDeps = {
    apollo, backend, services, config, baseUrl, authenticate: access?.authenticate,
    rateLimit: rateGuard?.check, trusted: persisted.trusted, fastPath,
  };
  const liveWs = createLiveWsServer({ schema, backend, services, config, live, logger, baseUrl, authenticate: access?.authenticate, trusted: persisted.trusted });
  const assetDeps = { backend, assets: services.assets, logger };
  const dashboard = createDashboard();

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = requestUrl(req.url);
    const { pathname } = url;
    const method = req.method ?? 'GET';
    if (pathname === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (pathname === '/metrics' && method === 'GET') {
      const scrape = await metrics.render();
      res.writeHead(200, { 'content-type': scrape.contentType, 'cache-control': 'no-store' });
      return void res.end(scrape.body);
    }
    if (pathname === '/readyz') {
      const readiness = await backend.readiness();
      // Redis away degrades only the live feed across replicas: HTTP still works, so still 200 (README, Live feed).
      const liveStatus = live.status();
      const status = !readiness.ready ? 'unavailable' : liveStatus.status === 'degraded' ? 'degraded' : 'ready';
      return sendJson(res, readiness.ready ? 200 : 503, { status, ...readiness.detail, live: liveStatus });
    }
    if (pathname === '/graphql' || pathname === '/graphql/') {
      if (method === 'GET' && (req.headers.accept ?? '').includes('text/html')) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache', 'content-security-policy': IDE_CSP });
        return void res.end(IDE_HTML);
      }
      return handleGraphql(req, res, url, graphqlDeps);
    }
    if (pathname.startsWith(IDE_ASSET_PREFIX) && method === 'GET') {
      const asset = ideAsset(pathname.slice(IDE_ASSET_PREFIX.length));
      if (asset) {
        res.writeHead(200, { 'content-type': asset.type, 'content-length': asset.body.length, 'cache-control': 'public, max-age=86400' });
        return void res.end(asset.body);
      }
    }
    if (dashboard.serve(req, res, pathname)) return;
    if (pathname === '/assets/upload' && method === 'PUT') return handleUpload(req, res, url, assetDeps);
    if (pathname.startsWith('/assets/') && (method === 'GET' || method === 'HEAD')) return handleDownload(req, res, url, assetDeps);
    sendJson(res, 404, { errors: [{ message: `No route for ${method} ${pathname}`, extensions: { code: 'NOT_FOUND' } }] });
  };

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => liveWs.handleUpgrade(req, socket, head));
  const policy = { corsOrigins: new Set(config.corsOrigins), metrics };
  // Trace context first, so every header, log line and upstream call of the request shares its trace id.
  server.on('request', (req: IncomingMessage, res: ServerResponse) => runTraced(req, res, () => {
    if (applyHttpPolicy(req, res, policy)) return; // a CORS preflight
    route(req, res).catch((err: unknown) => {
      if (isTrackqlError(err)) {
        if (!res.headersSent) sendError(res, err);
        else res.destroy();
        return;
      }
      logger.error('unhandled route error', { error: err, path: req.url?.split('?')[0] });
      if (!res.headersSent) sendError(res, new InternalError());
      else res.destroy();
    });
  }));

  try {
    await listen(server, config.port, config.host);
  } catch (err) {
    // Nothing was served: release what the start opened (the store, Redis clients), then report.
    await liveWs.drain().catch(() => undefined);
    await Promise.allSettled([apollo.stop(), live.close(), rateGuard?.close(), persisted.close(), notify.close()]);
    await backend.close();
    throw err;
  }
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  logger.notice('listening', { url: `${url}/graphql`, backend: config.backend, dataDir: config.backend === 'sqlite' ? config.dataDir : undefined });

  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      logger.notice('shutting down');
      fastPath?.close(); // requests arriving while Apollo stops get Apollo's own answer
      await liveWs.drain(); // first: Apollo's HTTP drain would cut the WebSockets (see plugins/live-drain.ts)
      await apollo.stop(); // the drain plugin closes the server and waits for in-flight requests
      await live.close();
      await rateGuard?.close();
      await persisted.close();
      await notify.close();
      await backend.close();
      logger.notice('stopped');
    })();
    return stopping;
  };
  return { url, server, backend, logger, metrics, stop };
}
