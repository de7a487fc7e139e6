/** Small helpers for the plain `node:http` routes. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BadUserInputError, PayloadTooLargeError, type TrackqlError } from '../errors';

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Error body of the non-GraphQL routes, shaped like a GraphQL error so clients parse one format. */
export function sendError(res: ServerResponse, err: TrackqlError): void {
  sendJson(res, err.httpStatus, { errors: [{ message: err.message, extensions: { ...err.extensions, code: err.code } }] });
}

/** How much of a refused request's remaining body is read and dropped so the client can see the answer. */
export const MAX_DISCARD_BYTES = 16 * 1024 * 1024;

/**
 * A client still sending a refused body would see its connection cut (ECONNRESET, EPIPE) instead of the
 * answer: read and drop the rest while it stays under `bound` (the connection then stays usable), and cut it
 * once it passes. Left alone, Node would drop the rest itself with no bound at all.
 */
export function discardRest(req: IncomingMessage, bound = MAX_DISCARD_BYTES): void {
  let discarded = 0;
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > bound) req.destroy();
  });
  req.resume();
}

/**
 * Reads a whole request body, refusing with PAYLOAD_TOO_LARGE as soon as it passes `limit` bytes (or declares
 * more); the rest is then read and dropped (`discardRest`), so the client reads the 413.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    discardRest(req);
    return Promise.reject(new PayloadTooLargeError(`Request body is ${declared} bytes; the limit is ${limit}`, { limit }));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (): void => {
      req.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      stop();
      chunks.length = 0;
      discardRest(req);
      reject(new PayloadTooLargeError(`Request body passes the limit of ${limit} bytes`, { limit }));
    };
    const onEnd = (): void => {
      stop();
      resolve(Buffer.concat(chunks));
    };
    const onError = (err: Error): void => {
      stop();
      reject(err);
    };
    // The client went away before the end: nobody is left to answer.
    const onClose = (): void => {
      if (req.complete) return;
      stop();
      reject(Object.assign(new Error('the client closed the request before its end'), { code: 'ECONNRESET' }));
    };
    req.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

/** Parses a single `Range: bytes=` header against a size. null: serve the whole file; 'invalid': answer 416. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | null | 'invalid' {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  // Several ranges (a comma) may be ignored by a server (RFC 9110 §14.2): send the whole file.
  if (!match) return header.includes(',') ? null : 'invalid';
  const [, a, b] = match;
  if (a === '' && b === '') return 'invalid';
  let start: number;
  let end: number;
  if (a === '') {
    const suffix = Number(b);
    if (suffix === 0) return 'invalid';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(a);
    end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  }
  if (start >= size || start > end) return 'invalid';
  return { start, end };
}

/** One percent-decoded path segment; a malformed escape (`%A`, `%E0%A4`) is the client's error, not ours. */
export function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new BadUserInputError('The URL path has a malformed percent-encoding', { reason: 'MALFORMED_URL' });
  }
}

/** The request's URL, or BAD_USER_INPUT for a request target no URL parser accepts (`//[`). */
export function requestUrl(target: string | undefined): URL {
  try {
    return new URL(target ?? '/', 'http://gateway');
  } catch {
    throw new BadUserInputError('The request target is not a valid URL', { reason: 'MALFORMED_URL' });
  }
}
