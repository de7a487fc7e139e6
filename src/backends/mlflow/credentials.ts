/**
 * Which credentials a caller's calls carry (§8): the caller's own `Authorization` (Basic passed as is; any
 * other key, sent by clients as `Bearer <token>`, as a bearer token), else the server's
 * `MLFLOW_TRACKING_TOKEN` or `MLFLOW_TRACKING_USERNAME`/`PASSWORD`, used only for a request with none (the
 * rule of Comet keys). An open MLflow server needs none: then nothing is sent.
 */
import { createHash } from 'node:crypto';
import { LruMap } from '../../lru';
import type { Caller } from '../port';

export interface ServerCredentials {
  token?: string | null;
  username?: string | null;
  password?: string | null;
}

export interface Credentials {
  /** The header to send, or null for none. Never log it. */
  readonly authorization: string | null;
  /** Non-secret id of the credentials (hash prefix): cache namespace and outbox owner. */
  readonly ns: string;
  /** What the outbox keeps to send a queued write later with the same credentials (the header, or NO_CREDENTIALS). */
  readonly replayKey: string;
}

/** The outbox's replay key of a write made without credentials (an open MLflow server). */
export const NO_CREDENTIALS = '-';

const MAX_REMEMBERED = 10_000;

export function authorizationOf(apiKey: string): string {
  return /^basic\s+/i.test(apiKey) ? apiKey : `Bearer ${apiKey}`;
}

function nsOf(authorization: string | null): string {
  return authorization === null ? 'm_open' : `m_${createHash('sha256').update(authorization).digest('hex').slice(0, 20)}`;
}

export class CredentialResolver {
  readonly #fallback: string | null;
  /** Asset routes act for a caller named by keyId only (signed URLs carry no key): keys seen before, in memory. */
  readonly #known = new LruMap<string, string>(MAX_REMEMBERED);

  constructor(server: ServerCredentials) {
    if (server.token) this.#fallback = `Bearer ${server.token}`;
    else if (server.username) this.#fallback = `Basic ${Buffer.from(`${server.username}:${server.password ?? ''}`).toString('base64')}`;
    else this.#fallback = null;
  }

  resolve(caller: Caller): Credentials {
    if (caller.apiKey) {
      this.#known.set(caller.keyId, caller.apiKey);
      return this.fromHeader(authorizationOf(caller.apiKey));
    }
    const known = this.#known.get(caller.keyId);
    return this.fromHeader(known ? authorizationOf(known) : this.#fallback);
  }

  /** Credentials from a stored header (the outbox replays writes with the header they were made with). */
  fromHeader(authorization: string | null): Credentials {
    return { authorization, ns: nsOf(authorization), replayKey: authorization ?? NO_CREDENTIALS };
  }

  /** The credentials of a queued write, from the key the outbox kept. */
  fromReplayKey(replayKey: string): Credentials {
    return this.fromHeader(replayKey === NO_CREDENTIALS ? null : replayKey);
  }
}
