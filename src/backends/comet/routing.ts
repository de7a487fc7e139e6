/**
 * Where a caller's requests go, and with which key: the base URL resolution of §2 ("Base URL resolution",
 * "Enhanced API keys") and the non-secret namespace that stands for the key in caches, metrics and logs.
 */
import { createHash } from 'node:crypto';
import { UnauthenticatedError } from '../../errors';
import { LruMap } from '../../lru';
import type { Caller } from '../port';
import { checkCallerOrigin, needsAddressCheck } from './origin-policy';
import { DEFAULT_COMET_URL } from './protocol';

/** Everything the adapter needs to talk to Comet for one key. The key itself is only in `apiKey`. */
export interface CometSession {
  /** The key sent upstream: the short part of an enhanced key (§2, "send only the short key"). */
  readonly apiKey: string;
  /**
   * Non-secret id of the key at its server (sha256 prefix of the server and the short key): cache namespace,
   * budget and log id. Two servers never share cached answers, even for the same short key.
   */
  readonly ns: string;
  /** Scheme, host and port, e.g. `https://www.comet.com`. */
  readonly origin: string;
  /** Path prefix of a self-hosted install mounted below the root, without a trailing slash ('' for none). */
  readonly prefix: string;
  /** True when the server came from a caller's key (or is the cloud default): connect only to public addresses. */
  readonly checkAddress: boolean;
  /** The key the outbox keeps to rebuild this session for a later send (the short key, plus its server if enhanced). */
  readonly replayKey: string;
  /** The gateway's id of the key as the caller sent it (`keyIdOf`): told to the observer when Comet accepts it. */
  readonly keyId: string;
}

/** A base URL split into origin and path prefix. */
export interface Upstream {
  origin: string;
  prefix: string;
}

export function parseUpstream(url: string): Upstream {
  const parsed = new URL(url);
  return { origin: parsed.origin, prefix: parsed.pathname.replace(/\/+$/, '') };
}

/**
 * The configured server, if any: `TRACKQL_COMET_URL`, else `COMET_URL_OVERRIDE` with its `/clientlib/` tail
 * removed (R strips it and keeps any path prefix, §2; Python's root-URL approach may drop the prefix, which
 * would break installs under a path, so R's reading is the defensive one).
 */
export function configuredUpstream(cometUrl: string | null, urlOverride: string | null): Upstream | null {
  if (cometUrl) return parseUpstream(cometUrl);
  if (urlOverride) return parseUpstream(urlOverride.replace(/\/+$/, '').replace(/\/clientlib$/, ''));
  return null;
}

export interface ParsedKey {
  shortKey: string;
  baseUrl: string | null;
}

/**
 * `<short>*<base64(JSON)>` (§2 "Enhanced API keys"): the JSON may carry `baseUrl`. A part that does not
 * decode is ignored (the key is then used as given, minus the tail), as the SDK parser does.
 */
export function parseApiKey(raw: string): ParsedKey {
  const star = raw.indexOf('*');
  if (star < 0) return { shortKey: raw, baseUrl: null };
  const shortKey = raw.slice(0, star);
  let baseUrl: string | null = null;
  try {
    const decoded: unknown = JSON.parse(Buffer.from(raw.slice(star + 1), 'base64').toString('utf8'));
    if (typeof decoded === 'object' && decoded !== null && 'baseUrl' in decoded) {
      const value = (decoded as { baseUrl: unknown }).baseUrl;
      if (typeof value === 'string' && /^https?:\/\//i.test(value)) baseUrl = value;
    }
  } catch {
    // not an enhanced key after all: keep the short part
  }
  return { shortKey, baseUrl };
}

export function namespaceOf(shortKey: string, upstream: Upstream): string {
  const hash = createHash('sha256').update(`${upstream.origin}${upstream.prefix}`).update('\u0000').update(shortKey);
  return `c_${hash.digest('hex').slice(0, 20)}`;
}

/** An enhanced key naming `baseUrl`, as Comet's SDKs build them (§2 "Enhanced API keys"). */
export function enhancedKey(shortKey: string, baseUrl: string): string {
  return `${shortKey}*${Buffer.from(JSON.stringify({ baseUrl })).toString('base64')}`;
}

/** Same formula as the server's `keyIdOf` (server/identity.ts), so asset-route callers map back to a key. */
export function keyIdOf(apiKey: string): string {
  return `k_${createHash('sha256').update(apiKey).digest('hex').slice(0, 16)}`;
}

const MAX_REMEMBERED_KEYS = 10_000;

/**
 * Resolves callers to sessions. Asset routes act for a caller named only by `keyId` (the signed URL never
 * carries the key): keys seen on earlier requests are remembered in memory, by keyId, so such a caller can
 * still be served; nothing is written anywhere.
 */
export class SessionResolver {
  readonly #configured: Upstream | null;
  readonly #fallbackKey: string | null;
  readonly #allowedOrigins: ReadonlySet<string>;
  readonly #known = new LruMap<string, string>(MAX_REMEMBERED_KEYS);

  /** `allowedOrigins`: the origins an enhanced key's `baseUrl` may name (`TRACKQL_COMET_ALLOWED_ORIGINS`). */
  constructor(configured: Upstream | null, fallbackKey: string | null, allowedOrigins: readonly string[] = [DEFAULT_COMET_URL]) {
    this.#configured = configured;
    this.#fallbackKey = fallbackKey;
    this.#allowedOrigins = new Set(allowedOrigins.map((origin) => new URL(origin).origin));
    if (fallbackKey) this.#known.set(keyIdOf(fallbackKey), fallbackKey);
  }

  resolve(caller: Caller): CometSession {
    const key = this.#keyOf(caller);
    return this.fromKey(key, key === caller.apiKey ? caller.keyId : keyIdOf(key));
  }

  /** A session for a raw key (the outbox replays writes with the key they were made with). */
  fromKey(rawKey: string, keyId: string = keyIdOf(rawKey)): CometSession {
    const { shortKey, baseUrl } = parseApiKey(rawKey);
    if (shortKey.trim() === '') throw new UnauthenticatedError();
    // An explicit server setting wins over the key's own baseUrl, as in the Python SDK (§2).
    if (this.#configured) {
      return { apiKey: shortKey, ns: namespaceOf(shortKey, this.#configured), ...this.#configured, checkAddress: false, replayKey: shortKey, keyId };
    }
    const upstream = parseUpstream(baseUrl ?? DEFAULT_COMET_URL);
    // Checked before anything is sent: the caller chose this server.
    if (baseUrl !== null) checkCallerOrigin(upstream.origin, this.#allowedOrigins);
    return {
      apiKey: shortKey,
      ns: namespaceOf(shortKey, upstream),
      ...upstream,
      checkAddress: needsAddressCheck(new URL(upstream.origin).hostname),
      // Queued writes go back to the server they were made for, and pass the allowlist again then.
      replayKey: baseUrl === null ? shortKey : enhancedKey(shortKey, `${upstream.origin}${upstream.prefix}`),
      keyId,
    };
  }

  #keyOf(caller: Caller): string {
    if (caller.apiKey) {
      this.#remember(caller.keyId, caller.apiKey);
      return caller.apiKey;
    }
    const known = this.#known.get(caller.keyId);
    if (known) return known;
    // An anonymous caller reaches here only when the request had no key; the operator's key stands in.
    if (caller.keyId === 'anonymous' && this.#fallbackKey) return this.#fallbackKey;
    throw new UnauthenticatedError();
  }

  #remember(keyId: string, apiKey: string): void {
    if (this.#known.get(keyId) === apiKey) return;
    this.#known.set(keyId, apiKey);
  }
}
