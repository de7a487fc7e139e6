/**
 * Asset uploads and downloads move over plain HTTP, outside GraphQL: the API hands out signed, expiring URLs
 * and the asset routes check them. The token binds the URL to one experiment, one caller and one purpose.
 */
import type { Readable } from 'node:stream';
import type { Asset, Backend, Caller, IdempotencyClaim } from '../backends/port';
import { BadUserInputError, NotFoundError } from '../errors';
import { UrlSigner, type TokenClaims, type VerifyResult } from './signing';
import * as v from './validate';

/** Largest `metadata` of an asset, as JSON; it travels inside the upload URL. */
export const MAX_ASSET_METADATA_BYTES = 4096;

export interface UploadRequest {
  experimentKey: string;
  fileName: string;
  type: string;
  step?: number | null;
  metadata?: Record<string, unknown> | null;
  modelName?: string | null;
}

export class AssetsService {
  constructor(
    private readonly backend: Backend,
    private readonly signer: UrlSigner,
    private readonly ttlSeconds: number,
    readonly maxBytes: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Validates the upload and returns a signed URL path (relative to the gateway) and its expiry. */
  async createUpload(caller: Caller, input: UploadRequest, claim?: IdempotencyClaim): Promise<{ path: string; expiresAt: number }> {
    // Nothing is stored before the PUT, but a retry with the same idempotency key still gets the same URL.
    if (claim) return this.backend.once(caller, claim, () => this.createUpload(caller, input));
    const experimentKey = v.experimentKey(input.experimentKey);
    const claims = {
      fileName: v.fileName(input.fileName),
      type: v.name(input.type, 'type', 64),
      step: input.step == null ? null : v.count(input.step, 'step'),
      modelName: v.optionalName(input.modelName, 'modelName'),
      metadata: input.metadata ?? null,
    };
    if (claims.metadata && Buffer.byteLength(JSON.stringify(claims.metadata)) > MAX_ASSET_METADATA_BYTES) {
      throw new BadUserInputError(`metadata must be at most ${MAX_ASSET_METADATA_BYTES} bytes of JSON`, { field: 'metadata' });
    }
    const [experiment] = await this.backend.experiments.get(caller, [experimentKey]);
    if (experiment instanceof Error) throw experiment;
    if (!experiment) throw new NotFoundError(`No experiment with key '${experimentKey}'`, { field: 'experimentKey' });
    await this.backend.assets.checkUpload(caller, experimentKey); // a read-only key learns now, not at the PUT
    const exp = Math.floor(this.now() / 1000) + this.ttlSeconds;
    const token = this.signer.sign({ purpose: 'upload', keyId: caller.keyId, experimentKey, exp, ...claims, ...this.sealedKey(caller) });
    return { path: `/assets/upload?token=${token}`, expiresAt: exp * 1000 };
  }

  /** The caller a verified token was issued to, with its API key unsealed (a backend like Comet needs it). */
  callerOf(claims: TokenClaims): Caller {
    const apiKey = typeof claims.sk === 'string' ? this.signer.unseal(claims.sk) : null;
    return { apiKey, keyId: claims.keyId };
  }

  private sealedKey(caller: Caller): { sk?: string } {
    return caller.apiKey ? { sk: this.signer.seal(caller.apiKey) } : {};
  }

  verifyUpload(token: string): VerifyResult {
    return this.signer.verify(token, 'upload');
  }

  /** Streams the body of a verified upload into the backend. */
  putVerified(caller: Caller, claims: TokenClaims, body: Readable): Promise<Asset> {
    return this.backend.assets.put(
      caller,
      {
        experimentKey: claims.experimentKey,
        fileName: String(claims.fileName),
        type: String(claims.type),
        step: typeof claims.step === 'number' ? claims.step : null,
        metadata: (claims.metadata as Record<string, unknown> | null) ?? null,
        modelName: typeof claims.modelName === 'string' ? claims.modelName : null,
        maxBytes: this.maxBytes,
      },
      body,
    );
  }

  /** A signed download path for an asset the caller can read. */
  downloadPath(caller: Caller, asset: Asset): string {
    const exp = Math.floor(this.now() / 1000) + this.ttlSeconds;
    const token = this.signer.sign({ purpose: 'download', keyId: caller.keyId, experimentKey: asset.experimentKey, assetId: asset.assetId, exp, ...this.sealedKey(caller) });
    const base = asset.fileName.split('/').at(-1) ?? 'asset';
    return `/assets/${encodeURIComponent(asset.experimentKey)}/${encodeURIComponent(asset.assetId)}/${encodeURIComponent(base)}?token=${token}`;
  }

  verifyDownload(token: string): VerifyResult {
    return this.signer.verify(token, 'download');
  }
}
