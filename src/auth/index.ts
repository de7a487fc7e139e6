/**
 * Access control of the embedded store: API keys (key-store.ts), resolved per request (authenticator.ts),
 * enforced by one Backend wrapper (scoped-backend.ts). The Comet backend has none of it: Comet checks its
 * own keys, which the gateway passes through.
 */
import type { Backend, Caller } from '../backends/port';
import type { Config } from '../config';
import { Authenticator } from './authenticator';
import { openKeyStore } from './key-store';
import { scopeBackend } from './scoped-backend';
import { checkOpenStore } from './startup';
import { ForbiddenError } from '../errors';
import { may, type Role } from './roles';

export interface AccessControl {
  /** Wraps the embedded store's backend so every call is checked; closing it closes the key store too. */
  wrap(backend: Backend): Backend;
  /** Throws UNAUTHENTICATED as the wrapped backend would, for edges that answer first (HTTP 401 on /graphql). */
  readonly authenticate: (caller: Caller) => void;
  /** The key id a caller authenticates as, or null (no key, unknown, revoked, or a store without keys). */
  readonly identify: (caller: Caller) => string | null;
  /** UNAUTHENTICATED or FORBIDDEN unless the caller holds `role` on the workspace (for checks beyond the port). */
  readonly requireRole: (caller: Caller, workspace: string, role: Role) => void;
}

interface WarnLogger {
  warn(msg: string, fields?: Record<string, unknown>): void;
}

/** Null on the Comet backend. Throws ConfigError when an open store would listen beyond loopback. */
export function createAccessControl(config: Config, logger: WarnLogger): AccessControl | null {
  if (config.backend !== 'sqlite') return null;
  const store = openKeyStore(config.dataDir);
  const auth = new Authenticator(store, {
    onTouchError: (error, keyId) => logger.warn('could not record an API key use', { keyId, error }),
  });
  try {
    if (checkOpenStore({ host: config.host, allowOpen: config.allowOpen, storeIsOpen: auth.isOpen() }) === 'warn') {
      logger.warn('serving the embedded store without API keys beyond loopback (TRACKQL_ALLOW_OPEN=true)', { host: config.host });
    }
  } catch (error) {
    store.close();
    throw error;
  }
  return {
    wrap: (backend) => scopeBackend(backend, auth, () => store.close()),
    authenticate: (caller) => auth.authenticate(caller),
    identify: (caller) => auth.identify(caller),
    requireRole: (caller, workspace, role) => {
      const who = auth.principal(caller);
      if (!may(who, workspace, role)) throw new ForbiddenError(`API key ${who.keyId} needs the ${role} role on workspace '${workspace}'`);
    },
  };
}

export { KEY_CACHE_MS } from './authenticator';
