/**
 * The start-up rule of the embedded store: open (no key ever created) is the zero-set-up default, and safe
 * only while nothing but this machine can connect. Bound to any other address, an open store refuses to
 * start unless the operator says so with TRACKQL_ALLOW_OPEN=true.
 */
import net from 'node:net';
import { ConfigError } from '../config';

const LOOPBACK = new net.BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6'); // also matches ::ffff:127.x.x.x, which BlockList maps onto IPv4

/** True for 127.0.0.0/8, ::1 and `localhost`; any other name or address counts as reachable from outside. */
export function isLoopback(host: string): boolean {
  const bare = host.trim().replace(/^\[(.*)\]$/, '$1');
  if (bare.toLowerCase() === 'localhost') return true;
  const family = net.isIP(bare);
  if (family === 0) return false;
  return LOOPBACK.check(bare, family === 6 ? 'ipv6' : 'ipv4');
}

export interface StartupFacts {
  host: string;
  allowOpen: boolean;
  /** No key was ever created: every request would be served. */
  storeIsOpen: boolean;
}

/** 'refuse' throws; 'warn' means starting open on purpose (TRACKQL_ALLOW_OPEN); 'ok' needs no word. */
export function checkOpenStore(facts: StartupFacts): 'ok' | 'warn' {
  if (!facts.storeIsOpen || isLoopback(facts.host)) return 'ok';
  if (facts.allowOpen) return 'warn';
  throw new ConfigError(
    `Refusing to start: TRACKQL_HOST=${facts.host} is not a loopback address and the embedded store has no API key, ` +
      'so anyone who reaches it could read and write everything. Create a key first ' +
      "(trackql keys create --workspace '*' --role admin), or set TRACKQL_ALLOW_OPEN=true to serve it without keys",
  );
}
