/** Hands `/graphql` requests to Apollo Server on our own `node:http` server. */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ApolloServer, HeaderMap } from '@apollo/server';
import type { Backend, Caller } from '../backends/port';
import type { Config } from '../config';
import { BadUserInputError } from '../errors';
import { createLoaders } from '../loaders';
import type { RequestContext } from '../resolvers/context';
import type { Services } from '../services';
import { readBody, sendError } from './http-util';
import { parseTolerantJson } from './tolerant-json';
import { callerFromAuthorization } from './identity';
import { checkDocumentSource } from './plugins/limits';
import type { TrustedDocuments } from './trusted-documents';
import type { FastPath } from './fast-path';

export interface GatewayContext extends RequestContext {
  requestId: string;
  keyId: string;
  /** The JSON body held a bare NaN/Infinity/-Infinity (tolerant-json.ts): plugins/non-finite.ts places them. */
  nonFiniteJson: boolean;
}

export interface GraphqlRouteDeps {
  apollo: ApolloServer<GatewayContext>;
  backend: Backend;
  services: Services;
  config: Config;
  baseUrl: (req: IncomingMessage) => string;
  /** Embedded store with API keys: refuses a request without a valid key up front, as HTTP 401 (src/auth/). */
  authenticate?: (caller: Caller) => void;
  /** Per-key rate limit (rate-limit.ts): throws RATE_LIMITED, with Retry-After set, before the body is read. */
  rateLimit?: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  /** Trusted-documents mode: swaps in the manifest's text or throws FORBIDDEN (trusted-documents.ts). */
  trusted?: TrustedDocuments | null;
  /** Executes documents Apollo already validated without its per-request pipeline (fast-path.ts); null: off. */
  fastPath?: FastPath | null;
}

/** A request header as Apollo's HeaderMap gives it (repeated values joined). */
function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

export async function handleGraphql(req: IncomingMessage, res: ServerResponse, url: URL, deps: GraphqlRouteDeps): Promise<void> {
  await deps.rateLimit?.(req, res);
  let body: unknown;
  let nonFiniteJson = false;
  if (req.method === 'POST') {
    const raw = await readBody(req, deps.config.maxBodyBytes);
    const type = header(req, 'content-type') ?? '';
    if (type.includes('json')) {
      try {
        // Python's json.dumps writes float('nan') as a bare NaN: accepted, and placed by plugins/non-finite.ts.
        const parsed = raw.length === 0 ? { value: undefined, nonFinite: false } : parseTolerantJson(raw.toString('utf8'));
        body = parsed.value;
        nonFiniteJson = parsed.nonFinite;
      } catch {
        return sendError(res, new BadUserInputError('The request body is not valid JSON', { reason: 'INVALID_JSON' }));
      }
    } else {
      body = raw.toString('utf8');
    }
  }
  const requestId = header(req, 'x-request-id')?.slice(0, 128) || randomUUID();
  const caller = callerFromAuthorization(header(req, 'authorization'), deps.config.cometApiKey);
  deps.authenticate?.(caller); // throws UNAUTHENTICATED, which the route answers with 401
  // Before Apollo parses it: an 8 MiB document costs seconds to parse and validate, and one nested thousands
  // deep overflows graphql-js's recursive parser. Size, nesting and tokens are checked on the text (a text the
  // fast path knows passed these checks when it was learned, and the limits do not change while serving).
  const query = (body as { query?: unknown } | undefined)?.query ?? url.searchParams.get('query');
  if (typeof query === 'string' && !deps.fastPath?.knows(query)) checkDocumentSource(query, deps.config.limits);
  // Trusted-documents mode: the manifest's text in place of the request's, or FORBIDDEN.
  const operation = deps.trusted ? deps.trusted.resolve(req.method ?? 'GET', body, url.search) : { search: url.search, body };
  const context = (): GatewayContext => ({
    caller,
    keyId: caller.keyId,
    requestId,
    nonFiniteJson,
    loaders: createLoaders(deps.backend, caller),
    services: deps.services,
    backend: deps.backend,
    config: deps.config,
    baseUrl: deps.baseUrl(req),
  });
  if (deps.fastPath && (await deps.fastPath.serve({ req, res, body: operation.body, nonFiniteJson, requestId, keyId: caller.keyId, context }))) return;
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const result = await deps.apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: req.method ?? 'GET', headers, ...operation },
    context: async () => context(),
  });
  for (const [name, value] of result.headers) res.setHeader(name, value);
  res.setHeader('x-request-id', requestId);
  res.statusCode = result.status ?? 200;
  if (result.body.kind === 'complete') {
    res.end(result.body.string);
    return;
  }
  for await (const chunk of result.body.asyncIterator) res.write(chunk);
  res.end();
}
