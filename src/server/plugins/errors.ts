/**
 * Error masking: a coded `TrackqlError` reaches the client with its code and extensions; graphql-js's own
 * errors (syntax, validation, variable coercion, scalar parsing) describe the request, so they keep their
 * message and become BAD_USER_INPUT (Apollo's finer code kept as `reason`); anything else is logged and
 * replaced by a bare INTERNAL_SERVER_ERROR, so no stack or internal message leaks.
 */
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ErrorCode, findTrackqlError } from '../../errors';
import type { Logger } from '../../observability/logger';

export function createFormatError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const base = { message: formatted.message, locations: formatted.locations, path: formatted.path };
    const coded = findTrackqlError(error);
    if (coded) {
      return { ...base, message: coded.message, extensions: { ...coded.extensions, code: coded.code } };
    }
    if (original instanceof GraphQLError) {
      // Only a code the error carries itself is a reason: Apollo stamps INTERNAL_SERVER_ERROR on request errors
      // that have none ("Unsupported persisted query version", graphql-js's "Too many errors processing
      // variables"), which would tell the client its own mistake was the server's (found by the fuzzer).
      const code = original.extensions?.code === undefined ? undefined : formatted.extensions?.code;
      const reason = typeof code === 'string' && code !== ErrorCode.BAD_USER_INPUT ? code : undefined;
      return { ...base, extensions: { code: ErrorCode.BAD_USER_INPUT, ...(reason && { reason }) } };
    }
    logger.error('internal error', { error: original, path: formatted.path });
    return { message: 'Internal server error', locations: formatted.locations, path: formatted.path, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
  };
}
