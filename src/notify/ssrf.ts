/**
 * The SSRF guard: a webhook URL must not make the gateway a way into the network it runs in. URLs whose host
 * resolves to loopback, link-local, private, unspecified or multicast addresses are refused when created, and
 * again when connecting (the address is checked after DNS resolution, so a name that changes its answer
 * later is caught too), unless TRACKQL_WEBHOOK_ALLOW_PRIVATE=true. Redirects are never followed.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { BadUserInputError } from '../errors';

const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) blocked.addSubnet(net, prefix, 'ipv6');

/** True for an address a webhook may not reach without TRACKQL_WEBHOOK_ALLOW_PRIVATE. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    return mapped ? blocked.check(mapped[1], 'ipv4') : blocked.check(address, 'ipv6');
  }
  return true; // not an address at all: refuse rather than guess
}

/** Checks the URL's form and, unless private targets are allowed, every address its host resolves to. */
export async function checkWebhookUrl(raw: string, allowPrivate: boolean): Promise<string> {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new BadUserInputError('url must be an absolute http:// or https:// URL', { field: 'url' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new BadUserInputError(`url must use http or https, got '${url.protocol}'`, { field: 'url' });
  if (url.username || url.password) throw new BadUserInputError('url must not carry credentials: the signature authenticates the sender', { field: 'url' });
  if (url.href.length > 2048) throw new BadUserInputError('url must be at most 2048 characters', { field: 'url' });
  if (!allowPrivate) {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const addresses = isIP(host) ? [host] : await resolveAll(host);
    const bad = addresses.find(isPrivateAddress);
    if (bad !== undefined) {
      throw new BadUserInputError(`url resolves to ${bad}, a loopback, link-local or private address; set TRACKQL_WEBHOOK_ALLOW_PRIVATE=true to allow it`, { field: 'url', reason: 'PRIVATE_ADDRESS' });
    }
  }
  return url.href;
}

function resolveAll(host: string): Promise<string[]> {
  return new Promise((resolve, reject) => dnsLookup(host, { all: true }, (err, addresses: LookupAddress[]) => {
    if (err) reject(new BadUserInputError(`url host '${host}' does not resolve`, { field: 'url' }));
    else resolve(addresses.map((a) => a.address));
  }));
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A `lookup` for sockets that refuses private answers at connect time (DNS rebinding). */
export function guardedLookup(allowPrivate: boolean) {
  return (hostname: string, options: { all?: boolean }, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, []);
      const allowed = allowPrivate ? addresses : addresses.filter((a) => !isPrivateAddress(a.address));
      if (allowed.length === 0) {
        const refused = Object.assign(new Error(`webhook host ${hostname} resolves only to private addresses`), { code: 'WEBHOOK_URL_PRIVATE' });
        return callback(refused, []);
      }
      if (options.all) callback(null, allowed);
      else callback(null, allowed[0].address, allowed[0].family);
    });
  };
}
