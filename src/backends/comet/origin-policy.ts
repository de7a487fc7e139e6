/**
 * Which Comet servers a caller may send the gateway to. An enhanced key's `baseUrl` is the caller's choice,
 * so it is honoured only for origins the operator listed in `TRACKQL_COMET_ALLOWED_ORIGINS`; otherwise any
 * caller could make the gateway request any URL (cloud metadata, an internal admin port).
 *
 * A listed hostname is checked again when it is resolved: each connection is made to the address that was
 * checked (the `lookup` of `net.connect`), so a name that resolves to a loopback, link-local or private
 * address — at once or later (DNS rebinding) — is refused. Such addresses are reached only when the
 * operator lists them literally (`http://10.0.0.5:8080`, `http://localhost:8080`), or through
 * `TRACKQL_COMET_URL`, which is the operator's own setting and not checked.
 */
import dns from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { ForbiddenError } from '../../errors';

export const ALLOWED_ORIGINS_VARIABLE = 'TRACKQL_COMET_ALLOWED_ORIGINS';

/** Loopback, link-local (cloud metadata at 169.254.169.254), private and unspecified addresses. */
const RESTRICTED = new BlockList();
for (const [net, prefix] of [['0.0.0.0', 8], ['127.0.0.0', 8], ['10.0.0.0', 8], ['172.16.0.0', 12], ['192.168.0.0', 16], ['169.254.0.0', 16], ['100.64.0.0', 10]] as const) {
  RESTRICTED.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [['::', 128], ['::1', 128], ['fe80::', 10], ['fc00::', 7]] as const) {
  RESTRICTED.addSubnet(net, prefix, 'ipv6');
}

/** True for an address the gateway must not reach on a caller's word; anything that is not an address too. */
export function isRestrictedAddress(address: string): boolean {
  const family = isIP(address);
  // BlockList matches IPv4-mapped IPv6 (`::ffff:127.0.0.1`) against the IPv4 rules.
  if (family === 4) return RESTRICTED.check(address, 'ipv4');
  if (family === 6) return RESTRICTED.check(address, 'ipv6');
  return true;
}

/** True when a connection to `hostname` must be checked at resolution: a name, not a literal or `localhost`. */
export function needsAddressCheck(hostname: string): boolean {
  const bare = hostname.replace(/^\[|\]$/g, '');
  if (isIP(bare) !== 0) return false;
  const lower = bare.toLowerCase().replace(/\.$/, '');
  return lower !== 'localhost' && !lower.endsWith('.localhost');
}

export class RestrictedAddressError extends ForbiddenError {
  constructor(origin: string) {
    super(`The Comet server ${origin} resolves to a loopback, link-local or private address, which is used only when listed literally in ${ALLOWED_ORIGINS_VARIABLE}`);
  }
}

/**
 * Refuses an origin a caller named unless it is listed. Literal addresses and `localhost` are refused like any
 * unlisted origin, before anything is sent.
 */
export function checkCallerOrigin(origin: string, allowed: ReadonlySet<string>): void {
  if (allowed.has(origin)) return;
  throw new ForbiddenError(`The API key names the Comet server ${origin}, which is not in ${ALLOWED_ORIGINS_VARIABLE}; ask the operator to list it, or use a key without a baseUrl`);
}

/**
 * A `lookup` for `net.connect` that resolves with `resolve` and fails with `RestrictedAddressError` when any
 * address found is restricted. Node connects to the addresses this returns, so nothing is resolved twice.
 */
export function guardedLookup(origin: string, resolve: LookupFunction = dns.lookup as LookupFunction): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, options, (error, address, family) => {
      if (error) return callback(error, address, family);
      const found = Array.isArray(address) ? address.map((entry) => entry.address) : [address];
      if (found.length === 0 || found.some(isRestrictedAddress)) return callback(new RestrictedAddressError(origin) as NodeJS.ErrnoException, '', 0);
      callback(null, address, family);
    });
  };
}
