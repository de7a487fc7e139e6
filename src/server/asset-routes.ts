/**
 * Asset bytes over plain HTTP, streamed both ways: `PUT /assets/upload?token=…` stores a body under the
 * limit; `GET /assets/<experimentKey>/<assetId>/<name>?token=…` streams it back, with `Range` support.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { Backend } from '../backends/port';
import { ForbiddenError, NotFoundError, PayloadTooLargeError, UnauthenticatedError, isTrackqlError, type TrackqlError } from '../errors';
import type { AssetsService } from '../services/assets.service';
import type { VerifyResult } from '../services/signing';
import type { Logger } from '../observability/logger';
import { decodePathSegment, discardRest, parseRange, sendError, sendJson } from './http-util';

export interface AssetRouteDeps {
  backend: Backend;
  assets: AssetsService;
  logger: Logger;
}

function tokenError(result: Exclude<VerifyResult, { ok: true }>): TrackqlError {
  switch (result.reason) {
    case 'expired':
      return new ForbiddenError('This URL has expired: ask the API for a new one');
    case 'forged':
    case 'malformed':
    case 'wrong-purpose':
      return new UnauthenticatedError('This URL is not a valid signed asset URL');
  }
}

export async function handleUpload(req: IncomingMessage, res: ServerResponse, url: URL, deps: AssetRouteDeps): Promise<void> {
  const verified = deps.assets.verifyUpload(url.searchParams.get('token') ?? '');
  if (!verified.ok) {
    discardRest(req);
    return sendError(res, tokenError(verified));
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > deps.assets.maxBytes) {
    discardRest(req);
    res.setHeader('connection', 'close');
    return sendError(res, new PayloadTooLargeError(`Asset is ${declared} bytes; the limit is ${deps.assets.maxBytes}`, { limit: deps.assets.maxBytes }));
  }
  try {
    const asset = await deps.assets.putVerified(deps.assets.callerOf(verified.claims), verified.claims, req);
    sendJson(res, 201, { asset: { ...asset, metadata: asset.metadata } });
  } catch (err) {
    if (!isTrackqlError(err)) throw err;
    // A body read to its end leaves the connection usable. A body abandoned part-way (the reader gave up at
    // the limit, which destroys the request) cannot be resumed: the answer closes the connection, or it would
    // stay open, unread, neither serving another request nor noticing the client leave.
    if (req.destroyed) res.setHeader('connection', 'close');
    else if (!req.readableEnded) discardRest(req);
    sendError(res, err);
  }
}

export async function handleDownload(req: IncomingMessage, res: ServerResponse, url: URL, deps: AssetRouteDeps): Promise<void> {
  const parts = url.pathname.split('/').slice(2).map(decodePathSegment);
  const verified = deps.assets.verifyDownload(url.searchParams.get('token') ?? '');
  if (!verified.ok) return sendError(res, tokenError(verified));
  const { claims } = verified;
  if (parts[0] !== claims.experimentKey || parts[1] !== claims.assetId) {
    return sendError(res, new UnauthenticatedError('This URL is not a valid signed asset URL'));
  }
  // The signed token stands for the caller it was issued to; its key travels only sealed.
  const caller = deps.assets.callerOf(claims);
  // Metadata first (size for the range), then one stream of just the bytes asked for.
  const [asset] = await deps.backend.assets.get(caller, [{ experimentKey: claims.experimentKey, assetId: claims.assetId }]);
  if (asset instanceof Error) throw asset;
  if (!asset) return sendError(res, new NotFoundError('The asset no longer exists'));
  const range = parseRange(req.headers.range, asset.size);
  const headers: Record<string, string> = {
    'content-type': 'application/octet-stream',
    'accept-ranges': 'bytes',
    'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(asset.fileName.split('/').at(-1) ?? 'asset')}`,
    'cache-control': 'private, max-age=0',
  };
  if (range === 'invalid') {
    res.writeHead(416, { ...headers, 'content-range': `bytes */${asset.size}` });
    return void res.end();
  }
  if (req.method === 'HEAD') {
    res.writeHead(200, { ...headers, 'content-length': String(asset.size) });
    return void res.end();
  }
  const opened = await deps.backend.assets.open(caller, claims.experimentKey, asset.assetId, range ? { range } : undefined);
  if (!opened) return sendError(res, new NotFoundError('The asset no longer exists'));
  if (range) {
    res.writeHead(206, { ...headers, 'content-range': `bytes ${range.start}-${range.end}/${asset.size}`, 'content-length': String(range.end - range.start + 1) });
  } else {
    res.writeHead(200, { ...headers, 'content-length': String(asset.size) });
  }
  await pipeline(opened.stream, res).catch((err: unknown) => deps.logger.warn('asset download interrupted', { error: err, assetId: asset.assetId }));
}
