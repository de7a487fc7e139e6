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

/** Reads a whole request body, refusing (and stopping) as soon as it passes `limit` bytes. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    throw new PayloadTooLargeError(`Request body is ${declared} bytes; the limit is ${limit}`, { limit });
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new PayloadTooLargeError(`Request body passes the limit of ${limit} bytes`, { limit });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
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
