/** The caller of a request, from its `Authorization` header (raw key as Comet clients send it, or `Bearer <key>`). */
import { createHash } from 'node:crypto';
import type { Caller } from '../backends/port';

export const ANONYMOUS: Caller = Object.freeze({ apiKey: null, keyId: 'anonymous' });

/** Non-secret, stable id of a key: safe in logs, metrics and cache keys. */
export function keyIdOf(apiKey: string): string {
  return `k_${createHash('sha256').update(apiKey).digest('hex').slice(0, 16)}`;
}

export function callerFromAuthorization(header: string | undefined | null, fallbackKey: string | null = null): Caller {
  let key = header?.trim() ?? '';
  if (/^bearer\s+/i.test(key)) key = key.replace(/^bearer\s+/i, '').trim();
  if (key === '' && fallbackKey) key = fallbackKey;
  return key === '' ? ANONYMOUS : Object.freeze({ apiKey: key, keyId: keyIdOf(key) });
}
