/** Hands `/graphql` requests to Apollo Server on our own `node:http` server. */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ApolloServer, HeaderMap } from '@apollo/server';
import type { Backend } from '../backends/port';
import type { Config } from '../config';
import { BadUserInputError } from '../errors';
import { createLoaders } from '../loaders';
import type { RequestContext } from '../resolvers/context';
import type { Services } from '../services';
import { readBody, sendError } from './http-util';
import { callerFromAuthorization } from './identity';

export interface GatewayContext extends RequestContext {
  requestId: string;
  keyId: string;
}

export interface GraphqlRouteDeps {
  apollo: ApolloServer<GatewayContext>;
  backend: Backend;
  services: Services;
  config: Config;
  baseUrl: (req: IncomingMessage) => string;
}

export async function handleGraphql(req: IncomingMessage, res: ServerResponse, url: URL, deps: GraphqlRouteDeps): Promise<void> {
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  let body: unknown;
  if (req.method === 'POST') {
    const raw = await readBody(req, deps.config.maxBodyBytes);
    const type = headers.get('content-type') ?? '';
    if (type.includes('json')) {
      try {
        body = raw.length === 0 ? undefined : JSON.parse(raw.toString('utf8'));
      } catch {
        return sendError(res, new BadUserInputError('The request body is not valid JSON', { reason: 'INVALID_JSON' }));
      }
    } else {
      body = raw.toString('utf8');
    }
  }
  const requestId = headers.get('x-request-id')?.slice(0, 128) || randomUUID();
  const caller = callerFromAuthorization(headers.get('authorization'), deps.config.cometApiKey);
  const result = await deps.apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
    context: async () => ({
      caller,
      keyId: caller.keyId,
      requestId,
      loaders: createLoaders(deps.backend, caller),
      services: deps.services,
      backend: deps.backend,
      config: deps.config,
      baseUrl: deps.baseUrl(req),
    }),
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
