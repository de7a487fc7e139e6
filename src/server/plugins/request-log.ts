/** One log line per GraphQL request: operation name, duration, error codes. Never variables or headers. */
import type { ApolloServerPlugin } from '@apollo/server';
import type { Logger } from '../../observability/logger';

export interface LogContext {
  requestId: string;
  keyId: string;
}

export function requestLogPlugin<T extends LogContext>(logger: Logger): ApolloServerPlugin<T> {
  return {
    async requestDidStart({ contextValue }) {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ request, response, errors, operation }) {
          const codes = [...new Set((errors ?? []).map((e) => String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR')))];
          const body = response.body.kind === 'single' ? response.body.singleResult : null;
          const resultCodes = [...new Set((body?.errors ?? []).map((e) => String(e.extensions?.code ?? '')))].filter(Boolean);
          logger.info('graphql', {
            requestId: contextValue.requestId,
            keyId: contextValue.keyId,
            operation: request.operationName ?? operation?.name?.value ?? null,
            type: operation?.operation ?? null,
            durationMs: Number(process.hrtime.bigint() - started) / 1e6,
            errors: resultCodes.length > 0 ? resultCodes : codes.length > 0 ? codes : undefined,
          });
        },
      };
    },
  };
}
