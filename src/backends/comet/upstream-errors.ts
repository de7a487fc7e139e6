/**
 * Comet's answers mapped to our error codes (§1 "Error shape", §8 "Status codes seen"). Upstream messages
 * are quoted (shortened) so a client can fix its call; keys and URLs never are.
 */
import {
  BadUserInputError, ForbiddenError, NotFoundError, PayloadTooLargeError, RateLimitedError, UnauthenticatedError,
  UpstreamUnavailableError, type TrackqlError,
} from '../../errors';
import { isObject } from './json';
import { NOT_FOUND_SDK_CODES } from './protocol';

export interface Envelope {
  msg: string | null;
  sdkErrorCode: number | null;
}

/** The `{code, msg, sdk_error_code}` body of an error answer, when it has one. */
export function parseEnvelope(body: Buffer): Envelope {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    if (!isObject(parsed)) return { msg: null, sdkErrorCode: null };
    const msg = typeof parsed.msg === 'string' ? parsed.msg : null;
    // The envelope key on the wire is `sdk_error_code` (Corrections 4); Java's DTO spells it sdkErrorCode.
    const raw = parsed.sdk_error_code ?? parsed.sdkErrorCode;
    const code = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : null;
    return { msg, sdkErrorCode: code };
  } catch {
    return { msg: null, sdkErrorCode: null };
  }
}

function quote(msg: string | null): string {
  return msg ? `: ${msg.replace(/\s+/g, ' ').slice(0, 200)}` : '';
}

/** Whether a non-2xx answer means "the thing named does not exist". */
export function isNotFound(status: number, envelope: Envelope): boolean {
  if (status === 404) return true;
  return status === 400 && envelope.sdkErrorCode !== null && NOT_FOUND_SDK_CODES.has(envelope.sdkErrorCode);
}

/** The error for a final (not retried, or out of retries) non-2xx answer. */
export function errorForStatus(status: number, envelope: Envelope, route: string, retryAfter: number | null): TrackqlError {
  const where = `Comet ${route}`;
  if (isNotFound(status, envelope)) return new NotFoundError(`${where} found nothing${quote(envelope.msg)}`, { upstreamStatus: status });
  switch (status) {
    case 401:
      return new UnauthenticatedError(`Comet refused the API key${quote(envelope.msg)}`);
    case 402:
      return new ForbiddenError(`Comet requires a paid plan for this${quote(envelope.msg)}`);
    case 403:
      return new ForbiddenError(`Comet refused access${quote(envelope.msg)}`);
    case 413:
      return new PayloadTooLargeError(`${where} refused the request as too large${quote(envelope.msg)}`);
    case 429:
      return new RateLimitedError(`Comet is rate limiting this API key${quote(envelope.msg)}`, retryAfter ?? 1);
    default:
      break;
  }
  if (status === 400) return new BadUserInputError(`${where} refused the request${quote(envelope.msg)}`, { upstreamStatus: status });
  return new UpstreamUnavailableError(`${where} answered ${status}${quote(envelope.msg)}`, { upstreamStatus: status });
}

export function unreachable(route: string, cause: unknown): UpstreamUnavailableError {
  const code = typeof cause === 'object' && cause !== null && 'code' in cause ? String((cause as { code: unknown }).code) : 'ERROR';
  return new UpstreamUnavailableError(`Comet could not be reached for ${route} (${code})`, { reason: code });
}

export function timedOut(route: string, timeoutMs: number): UpstreamUnavailableError {
  return new UpstreamUnavailableError(`Comet did not answer ${route} within ${timeoutMs} ms`, { reason: 'TIMEOUT' });
}

/** Network failures where the request certainly never reached Comet: safe to send again, even a write. */
const NEVER_SENT: ReadonlySet<string> = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'ENOTFOUND', 'EAI_AGAIN']);

export function neverSent(cause: unknown): boolean {
  return typeof cause === 'object' && cause !== null && 'code' in cause && NEVER_SENT.has(String((cause as { code: unknown }).code));
}

/** `Retry-After` in seconds (delta-seconds or an HTTP date), or null. Comet's use of it is unverified (§8). */
export function retryAfterSeconds(header: string | string[] | undefined, now = Date.now()): number | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - now) / 1000));
}
