/**
 * Error codes are the public contract (clients match on `extensions.code`, never on messages).
 * Error classes are internal: each carries one code, an HTTP status for non-GraphQL routes, and optional
 * extensions. Anything thrown that is not a `TrackqlError` is reported as INTERNAL_SERVER_ERROR.
 */
import { GraphQLError } from 'graphql';

export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  UPSTREAM_UNAVAILABLE: 'UPSTREAM_UNAVAILABLE',
  RATE_LIMITED: 'RATE_LIMITED',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const HTTP_STATUS: Record<ErrorCode, number> = {
  BAD_USER_INPUT: 400,
  NOT_FOUND: 404,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  UPSTREAM_UNAVAILABLE: 502,
  RATE_LIMITED: 429,
  PAYLOAD_TOO_LARGE: 413,
  QUERY_TOO_COMPLEX: 400,
  INTERNAL_SERVER_ERROR: 500,
};

export class TrackqlError extends Error {
  readonly code: ErrorCode;
  readonly extensions: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.extensions = extensions;
  }

  get httpStatus(): number {
    return HTTP_STATUS[this.code];
  }

  toGraphQLError(): GraphQLError {
    return new GraphQLError(this.message, { extensions: { ...this.extensions, code: this.code } });
  }

  /** For errors raised before execution (plugins): Apollo answers with this HTTP status and no data. */
  toRequestError(): GraphQLError {
    return new GraphQLError(this.message, { originalError: this, extensions: { ...this.extensions, code: this.code, http: { status: this.httpStatus } } });
  }
}

export class BadUserInputError extends TrackqlError {
  constructor(message: string, extensions: Record<string, unknown> = {}) {
    super(ErrorCode.BAD_USER_INPUT, message, extensions);
  }
}

export class NotFoundError extends TrackqlError {
  constructor(message: string, extensions: Record<string, unknown> = {}) {
    super(ErrorCode.NOT_FOUND, message, extensions);
  }
}

/**
 * The one way to say an experiment is missing. An experiment the caller may not see is reported with the
 * very same error, so a key cannot tell "elsewhere" from "nowhere": keep every such refusal on this factory.
 */
export function experimentNotFound(experimentKey: string): NotFoundError {
  return new NotFoundError(`Experiment '${experimentKey}' does not exist`, { experimentKey });
}

export class UnauthenticatedError extends TrackqlError {
  constructor(message = 'A valid API key is required: send it in the Authorization header') {
    super(ErrorCode.UNAUTHENTICATED, message);
  }
}

export class ForbiddenError extends TrackqlError {
  constructor(message: string) {
    super(ErrorCode.FORBIDDEN, message);
  }
}

export class UpstreamUnavailableError extends TrackqlError {
  constructor(message: string, extensions: Record<string, unknown> = {}) {
    super(ErrorCode.UPSTREAM_UNAVAILABLE, message, extensions);
  }
}

export class RateLimitedError extends TrackqlError {
  /** Seconds until a retry may succeed. */
  readonly retryAfter: number;
  constructor(message: string, retryAfter: number) {
    super(ErrorCode.RATE_LIMITED, message, { retryAfter });
    this.retryAfter = retryAfter;
  }
}

export class PayloadTooLargeError extends TrackqlError {
  constructor(message: string, extensions: Record<string, unknown> = {}) {
    super(ErrorCode.PAYLOAD_TOO_LARGE, message, extensions);
  }
}

export class QueryTooComplexError extends TrackqlError {
  constructor(message: string, extensions: Record<string, unknown> = {}) {
    super(ErrorCode.QUERY_TOO_COMPLEX, message, extensions);
  }
}

/** Thrown where a switch should have covered every case: a missing case is a build error. */
export class UnreachableCaseError extends Error {
  constructor(value: never) {
    super(`Unreachable case: ${JSON.stringify(value)}`);
  }
}

export function isTrackqlError(err: unknown): err is TrackqlError {
  return err instanceof TrackqlError;
}

/** The coded error inside a chain of wrapping errors (GraphQL wraps what resolvers and plugins throw). */
export function findTrackqlError(err: unknown): TrackqlError | null {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; depth += 1) {
    if (e instanceof TrackqlError) return e;
    e = (e as { originalError?: unknown }).originalError;
  }
  return null;
}

export class InternalError extends TrackqlError {
  constructor(message = 'Internal server error') {
    super(ErrorCode.INTERNAL_SERVER_ERROR, message);
  }
}
