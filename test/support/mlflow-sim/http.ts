/** Reading request bodies (size-capped while streaming) and writing JSON, text or bytes. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PlainHttpError, badRequest } from './errors';

/**
 * Reads the whole body, refusing with 413 once it passes `maxBytes`. The rest of a refused body is still
 * read and dropped, so a client still sending sees the 413 rather than a reset.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let total = 0;
    req.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total <= maxBytes) parts.push(chunk);
    });
    req.once('end', () => {
      if (total > maxBytes) reject(new PlainHttpError(413, `Request Entity Too Large: body over ${maxBytes} bytes`));
      else resolve(Buffer.concat(parts));
    });
    req.once('error', reject);
  });
}

/**
 * Parses a JSON body. The content type must be JSON and the text must parse; an empty body is an empty
 * object (the Python client sends none for some DELETEs). Refusals are BAD_REQUEST (§2, a sim choice).
 */
export function parseJson(raw: Buffer, contentType: string | undefined): unknown {
  if (raw.length === 0) return {};
  if (!/^application\/json\b/i.test(contentType ?? '')) {
    throw badRequest(`Bad Request. Content-Type must be application/json, got '${contentType ?? ''}'`);
  }
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    throw badRequest('Bad Request. The request body is not valid JSON');
  }
}

/**
 * JSON with proto3's spellings of non-finite doubles ("NaN", "Infinity", "-Infinity"), which plain
 * JSON.stringify would turn into null (§2).
 */
export function stringifyJson(body: unknown): string {
  return JSON.stringify(body, (_key, value: unknown) => {
    if (typeof value !== 'number' || Number.isFinite(value)) return value;
    return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
  });
}

export function writeJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  writeBytes(res, status, Buffer.from(stringifyJson(body)), { 'Content-Type': 'application/json', ...headers });
}

export function writeText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  writeBytes(res, status, Buffer.from(text), { 'Content-Type': 'text/plain; charset=utf-8', ...headers });
}

export function writeBytes(res: ServerResponse, status: number, body: Buffer, headers: Record<string, string>): void {
  res.writeHead(status, { ...headers, 'Content-Length': String(body.length) });
  res.end(body);
}
