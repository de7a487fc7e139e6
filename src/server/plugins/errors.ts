/**
 * Error masking: a coded `TrackqlError` reaches the client with its code and extensions. graphql-js's own
 * request errors (syntax, validation, variable coercion, scalar parsing: no `path`) describe the request, so
 * they keep their message and become BAD_USER_INPUT (Apollo's finer code kept as `reason`). An error raised
 * while executing (it has a `path`) is the server's unless it says otherwise: an output that cannot be
 * serialised (a Comet step past 32 bits for an `Int`), a null in a non-null field. It is logged, with the
 * request's trace id, and replaced by a bare INTERNAL_SERVER_ERROR, so no stack or internal message leaks.
 */
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ErrorCode, findTrackqlError } from '../../errors';
import type { Logger } from '../../observability/logger';

/**
 * A field error that is the caller's after all: a code of its own saying so (type-graphql's argument
 * validation), or graphql-js coercing an argument during execution (`Argument "first" of non-null type "Int!"
 * must not be null.`, when a variable with a default is sent as null).
 */
function isCallerFieldError(error: GraphQLError): boolean {
  return error.extensions?.code === ErrorCode.BAD_USER_INPUT || /^Argument "[^"]+" /.test(error.message);
}

export function createFormatError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const base = { message: formatted.message, locations: formatted.locations, path: formatted.path };
    const coded = findTrackqlError(error);
    if (coded) {
      return { ...base, message: coded.message, extensions: { ...coded.extensions, code: coded.code } };
    }
    const duringExecution = formatted.path !== undefined;
    if (original instanceof GraphQLError && (!duringExecution || isCallerFieldError(original))) {
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
