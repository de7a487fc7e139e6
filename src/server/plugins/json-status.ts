/**
 * GraphQL over HTTP, for clients that accept only `application/json` (the legacy media type): a well-formed
 * request whose document fails to parse or validate, or whose variables fail coercion, answers 200 with the
 * errors (the spec's SHOULD, so older clients read the errors instead of an HTTP failure). Under
 * `application/graphql-response+json` — or `*` wildcards, or no Accept at all — such a request keeps its 400.
 * Errors of our own (limits, trusted documents, non-finite values) keep their status.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { findTrackqlError } from '../../errors';

const REQUEST_ERROR_CODES = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT']);

/** True when `accept` names application/json and nothing that admits application/graphql-response+json. */
export function acceptsOnlyLegacyJson(accept: string | undefined): boolean {
  if (!accept) return false;
  const ranges = accept.split(',').map((part) => {
    const [type, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    return { type, accepted: q === undefined || Number(q.slice(2)) > 0 };
  }).filter((r) => r.accepted);
  const names = (types: readonly string[]) => ranges.some((r) => types.includes(r.type));
  return names(['application/json']) && !names(['application/graphql-response+json', 'application/*', '*/*']);
}

function isRequestError(error: unknown): boolean {
  if (!(error instanceof GraphQLError) || findTrackqlError(error)) return false;
  return REQUEST_ERROR_CODES.has(String(error.extensions?.code));
}

export function jsonStatusPlugin<T extends object>(): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ request, response, errors }) {
          if (response.http.status !== 400 || response.body.kind !== 'single' || 'data' in response.body.singleResult) return;
          if (!errors?.length || !errors.every(isRequestError)) return;
          if (acceptsOnlyLegacyJson(request.http?.headers.get('accept'))) response.http.status = 200;
        },
      };
    },
  };
}
