/** Reading request bodies (gzip-aware, size-capped while streaming) and writing JSON or bytes. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createGunzip, gzipSync } from 'node:zlib';
import { Limits } from './constants';
import { CometSimError, badRequest } from './errors';

/**
 * The request body as decoded chunks. `Content-Encoding: gzip` is undone (the Python SDK gzips batch bodies,
 * §1); any other encoding is refused with 415.
 */
export function bodyChunks(req: IncomingMessage): AsyncIterable<Buffer> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity' || encoding === '') return req;
  if (encoding === 'gzip') {
    const gunzip = createGunzip();
    req.pipe(gunzip);
    req.on('error', (err) => gunzip.destroy(err));
    return gunzip;
  }
  throw new CometSimError(415, `unsupported Content-Encoding '${encoding}'; send gzip or none`);
}

/** Reads the whole decoded body, refusing with 413 once it passes `maxBytes`. */
export async function readBody(chunks: AsyncIterable<Buffer>, maxBytes: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of chunks) {
      total += chunk.length;
      if (total > maxBytes) throw new CometSimError(413, `request body larger than ${maxBytes} bytes`);
      parts.push(chunk);
    }
  } catch (err) {
    if (err instanceof CometSimError) throw err;
    throw badRequest(`could not read the request body: ${(err as Error).message}`);
  }
  return Buffer.concat(parts);
}

/** Parses a JSON body; the content type must be JSON (all SDKs send `application/json;charset=utf-8`, §1). */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type)) {
    throw new CometSimError(415, `expected Content-Type application/json, got '${type}'`);
  }
  const raw = await readBody(bodyChunks(req), Limits.JSON_BODY_MAX_BYTES);
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    throw badRequest('request body is not valid JSON');
  }
}

/** Consumes and drops whatever body a request has, so the connection can be reused. */
export async function drain(req: IncomingMessage): Promise<void> {
  if (req.readableEnded || req.destroyed) return;
  req.unpipe(); // a half-read gzip or multipart body may still be piped somewhere
  req.resume();
  await new Promise<void>((resolve) => {
    req.once('end', resolve);
    req.once('close', resolve);
    req.once('error', () => resolve());
  });
}

function acceptsGzip(req: IncomingMessage): boolean {
  const accept = req.headers['accept-encoding'] ?? '';
  return accept.split(',').some((e) => {
    const [name, ...params] = e.trim().toLowerCase().split(';');
    return name.trim() === 'gzip' && !params.some((p) => p.trim() === 'q=0');
  });
}

export function writeJson(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  body: unknown,
  contentType = 'application/json;charset=utf-8',
  headers: Record<string, string> = {},
): void {
  let payload = Buffer.from(JSON.stringify(body));
  const out: Record<string, string> = { 'Content-Type': contentType, ...headers };
  if (payload.length >= Limits.GZIP_MIN_BYTES && acceptsGzip(req)) {
    payload = gzipSync(payload);
    out['Content-Encoding'] = 'gzip';
  }
  out['Content-Length'] = String(payload.length);
  res.writeHead(status, out);
  res.end(payload);
}

export function writeBytes(res: ServerResponse, body: Buffer, contentType: string): void {
  res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': String(body.length) });
  res.end(body);
}
