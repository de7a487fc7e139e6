/**
 * Signed, expiring URL tokens for asset upload and download. A token is base64url(JSON claims) + '.' +
 * base64url(HMAC-SHA256). The first secret signs; every configured secret verifies, so an operator can
 * rotate by prepending a new secret and dropping the old one after the longest TTL has passed.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export type TokenPurpose = 'upload' | 'download';

export interface TokenClaims {
  purpose: TokenPurpose;
  /** Non-secret id of the API key the URL was issued to. */
  keyId: string;
  experimentKey: string;
  /** Expiry, Unix seconds. */
  exp: number;
  /** Purpose-specific fields. */
  [field: string]: unknown;
}

export type VerifyResult = { ok: true; claims: TokenClaims } | { ok: false; reason: 'malformed' | 'forged' | 'expired' | 'wrong-purpose' };

export class UrlSigner {
  constructor(
    private readonly secrets: readonly string[],
    private readonly now: () => number = Date.now,
  ) {
    if (secrets.length === 0) throw new Error('UrlSigner needs at least one secret');
  }

  sign(claims: TokenClaims): string {
    const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return `${body}.${this.mac(this.secrets[0], body)}`;
  }

  verify(token: string, purpose: TokenPurpose): VerifyResult {
    if (token.length > 8192) return { ok: false, reason: 'malformed' };
    const dot = token.indexOf('.');
    if (dot <= 0) return { ok: false, reason: 'malformed' };
    const body = token.slice(0, dot);
    const sig = Buffer.from(token.slice(dot + 1), 'base64url');
    const valid = this.secrets.some((secret) => {
      const expected = Buffer.from(this.mac(secret, body), 'base64url');
      return expected.length === sig.length && timingSafeEqual(expected, sig);
    });
    if (!valid) return { ok: false, reason: 'forged' };
    let claims: TokenClaims;
    try {
      claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TokenClaims;
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    if (claims.purpose !== purpose) return { ok: false, reason: 'wrong-purpose' };
    if (typeof claims.exp !== 'number' || claims.exp * 1000 < this.now()) return { ok: false, reason: 'expired' };
    return { ok: true, claims };
  }

  /**
   * Encrypts a value (AES-256-GCM) for a URL. Used for the caller's API key, which an upload needs upstream
   * but must never appear readable in a URL or a log.
   */
  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.encryptionKey(this.secrets[0]), iv);
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64url');
  }

  /** Decrypts what `seal` made with any configured secret; null when none can. */
  unseal(sealed: string): string | null {
    const raw = Buffer.from(sealed, 'base64url');
    if (raw.length < 29) return null;
    for (const secret of this.secrets) {
      try {
        const decipher = createDecipheriv('aes-256-gcm', this.encryptionKey(secret), raw.subarray(0, 12));
        decipher.setAuthTag(raw.subarray(12, 28));
        return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
      } catch {
        /* try the next secret */
      }
    }
    return null;
  }

  private encryptionKey(secret: string): Buffer {
    // A key of its own, derived from the signing secret, so the MAC key is never reused for encryption.
    return createHash('sha256').update(`trackql-seal:${secret}`).digest();
  }

  private mac(secret: string, body: string): string {
    return createHmac('sha256', secret).update(body).digest('base64url');
  }
}
