/**
 * Counts every GraphQL operation Apollo answers, by operation name, type and result code, and times it.
 * Requests refused before Apollo (bad JSON, body too large) show only in the HTTP metrics.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphqlObservation } from '../../observability/metrics';

export function metricsPlugin<T extends object>(observe: (o: GraphqlObservation) => void): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse({ response, errors, operation }) {
          // The body's errors are already formatted (our codes); `errors` holds Apollo's raw ones as a fallback.
          const body = response.body.kind === 'single' ? response.body.singleResult : null;
          const first = body?.errors?.[0] ?? errors?.[0];
          observe({
            operation: operation?.name?.value ?? null,
            type: operation?.operation ?? null,
            code: first ? String(first.extensions?.code ?? 'INTERNAL_SERVER_ERROR') : null,
            seconds: (performance.now() - started) / 1000,
          });
        },
      };
    },
  };
}
