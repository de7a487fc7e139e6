/**
 * The caller of a graphql-ws connection, from `connectionParams` (browsers cannot set headers on a
 * WebSocket): `{ authorization: "<key>" }` or `{ Authorization: "Bearer <key>" }`, the same key rules as the
 * HTTP `Authorization` header. Without one, the upgrade request's own `Authorization` header counts (Node
 * clients can send it). `connectionParams` is untrusted input: checked here, once, then trusted.
 */
import type { Caller } from '../backends/port';
import { MAX_API_KEY_LENGTH, MAX_CONNECTION_PARAMS_BYTES } from '../live/constants';
import { callerFromAuthorization } from './identity';

export type ConnectionAuth = { ok: true; caller: Caller } | { ok: false; reason: string };

const AUTH_KEYS = ['authorization', 'Authorization'] as const;

/** `reason` ends up as a WebSocket close reason: at most 123 bytes, so each one is short. */
export function callerFromConnectionParams(params: unknown, header: string | undefined): ConnectionAuth {
  if (params == null) return credential(header, 'the Authorization header');
  if (typeof params !== 'object' || Array.isArray(params)) return { ok: false, reason: 'connectionParams must be an object' };
  let size: number;
  try {
    size = Buffer.byteLength(JSON.stringify(params));
  } catch {
    return { ok: false, reason: 'connectionParams must be plain JSON' };
  }
  if (size > MAX_CONNECTION_PARAMS_BYTES) return { ok: false, reason: `connectionParams must be at most ${MAX_CONNECTION_PARAMS_BYTES} bytes` };
  const record = params as Record<string, unknown>;
  const given = AUTH_KEYS.filter((k) => record[k] != null);
  if (given.length === 2 && record.authorization !== record.Authorization) {
    return { ok: false, reason: 'connectionParams has two different authorization values' };
  }
  if (given.length === 0) return credential(header, 'the Authorization header');
  return credential(record[given[0]], 'connectionParams.authorization');
}

function credential(value: unknown, where: string): ConnectionAuth {
  if (value == null) return { ok: true, caller: callerFromAuthorization(null) };
  if (typeof value !== 'string') return { ok: false, reason: `${where} must be a string` };
  if (value.length > MAX_API_KEY_LENGTH) return { ok: false, reason: `${where} must be at most ${MAX_API_KEY_LENGTH} characters` };
  // Control characters never belong in a key; refusing them keeps them out of upstream headers.
  if (/\p{Cc}/u.test(value)) return { ok: false, reason: `${where} must not contain control characters` };
  return { ok: true, caller: callerFromAuthorization(value) };
}
