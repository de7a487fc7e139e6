/**
 * GraphQL over WebSocket (graphql-ws 6, protocol `graphql-transport-ws`) on the HTTP server's own port and
 * path, `/graphql`. This file only adapts: authentication from `connectionParams`, the per-operation
 * context, query limits and error masking as on HTTP, and shutdown. Events and backpressure live in the hub.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { createSourceEventStream, type DocumentNode, type ExecutionArgs, type FragmentDefinitionNode, type GraphQLError, type GraphQLSchema, getOperationAST, Kind, parse, validate } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Backend, Caller } from '../backends/port';
import type { Config } from '../config';
import { isTrackqlError } from '../errors';
import { LiveCloseCode, DRAIN_GRACE_MS } from '../live/constants';
import type { LiveConnection, LiveHub, SubscriberIdentity } from '../live';
import { createLoaders } from '../loaders';
import type { LiveContext } from '../resolvers/live.resolver';
import type { Services } from '../services';
import { callerFromConnectionParams } from './live-auth';
import type { Logger } from '../observability/logger';
import type { TrustedDocuments } from './trusted-documents';
import { createFormatError } from './plugins/errors';
import { checkDocumentSource, checkLimits, measureOperation } from './plugins/limits';
import { LruMap } from '../lru';
import { FrameWriter } from './frame-writer';
import { Fanout, groupKey, isPushSource, type FanoutTarget } from './live-fanout';

export interface LiveWsDeps {
  schema: GraphQLSchema;
  backend: Backend;
  services: Services;
  config: Config;
  live: LiveHub;
  logger: Logger;
  baseUrl: (req: IncomingMessage) => string;
  /** Embedded store with API keys: throws once a caller's key is revoked (src/auth/), which ends its socket. */
  authenticate?: (caller: Caller) => void;
  /** Trusted-documents mode: only the manifest's operations may subscribe (trusted-documents.ts). */
  trusted?: TrustedDocuments | null;
}

type WsContext = LiveContext & { keyId: string; requestId: string; fanoutTarget: FanoutTarget };

/** Valid subscription documents kept parsed and validated, by their text. */
const DOCUMENT_CACHE_SIZE = 500;

/** How often open sockets' keys are checked again, in ms (on top of the key cache's own delay). */
const KEY_RECHECK_MS = 1000;

export interface LiveWsServer {
  /** Takes an HTTP upgrade on `/graphql`; answers anything else (or any upgrade during shutdown) and drops it. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Lets queued events reach their sockets, closes every socket with 1001, then stops. Idempotent. */
  drain(): Promise<void>;
}

const GRAPHQL_PATHS = new Set(['/graphql', '/graphql/']);

export function createLiveWsServer(deps: LiveWsDeps): LiveWsServer {
  const { schema, config, live } = deps;
  // maxPayload: a client message above it closes the socket with 1009 before we parse anything.
  const wss = new WebSocketServer({ noServer: true, maxPayload: config.maxBodyBytes });
  const identities = new WeakMap<WebSocket, SubscriberIdentity>();
  const writers = new WeakMap<WebSocket, FrameWriter>();
  const documents = new LruMap<string, DocumentNode>(DOCUMENT_CACHE_SIZE);
  const formatError = createFormatError(deps.logger);
  const format = (errors: readonly GraphQLError[]) => errors.map((e) => formatError(e.toJSON(), e));
  const fanout = new Fanout(format, live.fanoutCounters);
  live.observeFanout(() => fanout.groups);
  // Access is checked when a subscription starts; a key revoked later must not keep its feed, so sockets are
  // closed with 4401, which graphql-ws clients take as final (no reconnect with a dead key).
  const { authenticate } = deps;
  const recheck = authenticate && setInterval(() => {
    for (const socket of wss.clients) {
      const who = identities.get(socket);
      try {
        if (who) authenticate(who.caller);
      } catch {
        socket.close(CloseCode.Unauthorized, 'API key revoked or no longer valid');
      }
    }
  }, KEY_RECHECK_MS).unref();

  const graphqlWs = useServer(
    {
      schema,
      onConnect(ctx) {
        const { socket, request } = ctx.extra;
        const auth = callerFromConnectionParams(ctx.connectionParams, request.headers.authorization);
        if (!auth.ok) {
          // A clear code and reason rather than graphql-ws's generic 4403 Forbidden: the client must fix its params.
          socket.close(LiveCloseCode.BadConnectionParams, `Invalid connectionParams: ${auth.reason}`);
          return false;
        }
        const connection: LiveConnection = { bufferedAmount: () => socket.bufferedAmount, close: (code, reason) => socket.close(code, reason) };
        identities.set(socket, { caller: auth.caller, connection });
        writers.set(socket, new FrameWriter(socket));
        return true;
      },
      onSubscribe(_ctx, _id, message) {
        let payload = message;
        if (deps.trusted) {
          try {
            payload = { ...message, query: deps.trusted.textOf(message) };
          } catch (err) {
            // With its original error attached, so error masking keeps FORBIDDEN (plugins/errors.ts).
            if (isTrackqlError(err)) return [err.toRequestError()];
            throw err;
          }
        }
        // A dashboard opens the same few documents thousands of times: each is parsed and validated once.
        let document = documents.get(payload.query);
        if (!document) {
          try {
            checkDocumentSource(payload.query, config.limits);
            document = parse(payload.query);
          } catch (err) {
            if (isTrackqlError(err)) return [err.toRequestError()];
            return [err as GraphQLError];
          }
          const errors = validate(schema, document);
          if (errors.length > 0) return errors;
          documents.set(payload.query, document);
        }
        const operation = getOperationAST(document, payload.operationName);
        if (operation) {
          const fragments: Record<string, FragmentDefinitionNode> = {};
          for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments[def.name.value] = def;
          try {
            checkLimits(measureOperation(schema, operation, fragments, payload.variables ?? {}), config.limits);
          } catch (err) {
            // With its original error attached, so error masking keeps QUERY_TOO_COMPLEX.
            if (isTrackqlError(err)) return [err.toRequestError()];
            throw err;
          }
        }
        return { schema, document, operationName: payload.operationName, variableValues: payload.variables };
      },
      // keyId and requestId: the same fields as the HTTP context, so shared plugins and logs find them.
      context(ctx, id, payload): WsContext {
        const subscriber = identities.get(ctx.extra.socket);
        const writer = writers.get(ctx.extra.socket);
        if (!subscriber || !writer) throw new Error('graphql-ws context built before onConnect accepted the socket');
        const { caller } = subscriber;
        const baseUrl = deps.baseUrl(ctx.extra.request);
        const query = deps.trusted ? deps.trusted.textOf(payload) : payload.query;
        const fanoutTarget: FanoutTarget = {
          writer, subscriptionId: id,
          groupKey: groupKey({ apiKey: caller.apiKey, baseUrl, query, operationName: payload.operationName, variables: payload.variables }),
        };
        return {
          caller, loaders: createLoaders(deps.backend, caller), services: deps.services, backend: deps.backend, config,
          baseUrl, live, subscriber, keyId: caller.keyId, requestId: randomUUID(), fanoutTarget,
        };
      },
      // Subscriptions: the source stream per subscriber (its access check and bounded queue), the execution
      // and the serialised frame shared by equal subscribers (live-fanout.ts).
      async subscribe(args: ExecutionArgs) {
        const source = await createSourceEventStream(args);
        if (!(Symbol.asyncIterator in source)) return source;
        const events = source[Symbol.asyncIterator]();
        // Every subscription resolver returns the hub's queue; anything else is a wiring mistake, said loudly.
        if (!isPushSource(events)) throw new Error('A subscription resolver must return the live hub\'s queue (src/live/hub.ts)');
        return fanout.stream(args, events, (args.contextValue as WsContext).fanoutTarget);
      },
      onNext: (_ctx, _id, _payload, _args, result) => (result.errors ? { ...result, errors: format(result.errors) } : undefined),
      onError: (_ctx, _id, _payload, errors) => format(errors),
    },
    wss,
  );

  let draining: Promise<void> | null = null;
  return {
    handleUpgrade(req, socket, head) {
      let path: string | null = null;
      try {
        path = new URL(req.url ?? '/', 'http://gateway').pathname;
      } catch {
        // A target no URL parser accepts (`//[`): thrown here it would end the process (an event handler).
      }
      if (path === null || !GRAPHQL_PATHS.has(path) || draining) {
        const status = path === null ? '400 Bad Request' : draining ? '503 Service Unavailable' : '404 Not Found';
        socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    },
    drain() {
      draining ??= (async () => {
        if (recheck) clearInterval(recheck);
        await live.drain(DRAIN_GRACE_MS);
        await closeAll(wss, DRAIN_GRACE_MS);
        await graphqlWs.dispose();
      })();
      return draining;
    },
  };
}

/** Closes every socket with 1001 and waits for the clients' answers; a client that does not answer in time is cut. */
async function closeAll(wss: WebSocketServer, graceMs: number): Promise<void> {
  const clients = [...wss.clients];
  const closed = clients.map((ws) => new Promise<void>((resolve) => {
    if (ws.readyState === ws.CLOSED) return resolve();
    ws.once('close', () => resolve());
  }));
  for (const ws of clients) ws.close(LiveCloseCode.GoingAway, 'Server shutting down');
  const timer = setTimeout(() => clients.forEach((ws) => ws.terminate()), graceMs);
  await Promise.all(closed);
  clearTimeout(timer);
}
