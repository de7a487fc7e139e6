/**
 * MLflow's answers turned into our coded errors (§2: `{error_code, message}` with a status per code), and
 * the facts the retry rules need about a failed attempt.
 */
import {
  BadUserInputError, ForbiddenError, NotFoundError, PayloadTooLargeError, RateLimitedError, UnauthenticatedError,
  UpstreamUnavailableError, type TrackqlError,
} from '../../errors';

export interface Envelope {
  errorCode: string | null;
  message: string | null;
}

export function parseEnvelope(text: string): Envelope {
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed !== null && typeof parsed === 'object') {
      const { error_code: code, message } = parsed as Record<string, unknown>;
      return { errorCode: typeof code === 'string' ? code : null, message: typeof message === 'string' ? message : null };
    }
  } catch {
    // a plain-text answer (a proxy's 502, a 401 of the basic-auth app)
  }
  return { errorCode: null, message: text.trim().slice(0, 300) || null };
}

const quote = (message: string | null): string => (message ? `: ${message}` : '');

/** The error of a final (not retried, or out of retries) non-2xx answer. */
export function errorForStatus(status: number, envelope: Envelope, route: string, retryAfter: number | null): TrackqlError {
  const where = `MLflow ${route}`;
  const extensions = { upstreamStatus: status, upstreamCode: envelope.errorCode };
  if (status === 404 || envelope.errorCode === 'RESOURCE_DOES_NOT_EXIST') return new NotFoundError(`${where} found nothing${quote(envelope.message)}`, extensions);
  if (envelope.errorCode === 'RESOURCE_ALREADY_EXISTS' || status === 409) {
    return new BadUserInputError(`${where} refused the request: it already exists${quote(envelope.message)}`, { ...extensions, reason: 'ALREADY_EXISTS' });
  }
  switch (status) {
    case 401:
      return new UnauthenticatedError(`MLflow refused the credentials${quote(envelope.message)}`);
    case 403:
      return new ForbiddenError(`MLflow refused access${quote(envelope.message)}`);
    case 413:
      return new PayloadTooLargeError(`${where} refused the request as too large${quote(envelope.message)}`, extensions);
    case 429:
      return new RateLimitedError(`MLflow is rate limiting these credentials${quote(envelope.message)}`, retryAfter ?? 1);
    default:
      break;
  }
  if (status === 400) return new BadUserInputError(`${where} refused the request${quote(envelope.message)}`, extensions);
  return new UpstreamUnavailableError(`${where} answered ${status}${quote(envelope.message)}`, extensions);
}

export function unreachable(route: string, cause: unknown): UpstreamUnavailableError {
  return new UpstreamUnavailableError(`MLflow could not be reached for ${route} (${codeOf(cause)})`, { reason: codeOf(cause) });
}

export function timedOut(route: string, timeoutMs: number): UpstreamUnavailableError {
  return new UpstreamUnavailableError(`MLflow did not answer ${route} within ${timeoutMs} ms`, { reason: 'TIMEOUT' });
}

function codeOf(cause: unknown): string {
  return typeof cause === 'object' && cause !== null && 'code' in cause ? String((cause as { code: unknown }).code) : 'ERROR';
}

// The network facts are Comet's too: one definition serves both backends.
export { neverSent, retryAfterSeconds } from '../comet/upstream-errors';
