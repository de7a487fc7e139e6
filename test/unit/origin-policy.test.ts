import type { LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { guardedLookup, isRestrictedAddress, needsAddressCheck } from '../../src/backends/comet/origin-policy';

/** A resolver answering from a table, as getaddrinfo would (one address, or all with `all: true`). */
function fakeDns(table: Record<string, string[]>): LookupFunction {
  return (hostname, options, callback) => {
    const found: LookupAddress[] = (table[hostname] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    if (found.length === 0) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
    if (options.all) return callback(null, found);
    callback(null, found[0].address, found[0].family);
  };
}

function lookup(fn: LookupFunction, hostname: string, all: boolean): Promise<{ error: NodeJS.ErrnoException | null; address: string | LookupAddress[] }> {
  return new Promise((resolve) => fn(hostname, { all }, (error, address) => resolve({ error, address })));
}

describe('comet origin policy', () => {
  it.each([
    ['127.0.0.1', true], ['127.255.0.9', true], ['0.0.0.0', true], ['10.0.0.1', true], ['172.16.0.1', true], ['172.31.255.255', true],
    ['192.168.1.1', true], ['169.254.169.254', true], ['::1', true], ['::', true], ['fe80::1', true], ['fd00::1', true], ['fc00::1', true],
    ['::ffff:127.0.0.1', true], ['::ffff:a9fe:a9fe', true], ['not-an-address', true],
    ['172.32.0.1', false], ['8.8.8.8', false], ['104.18.0.1', false], ['2606:4700::1', false],
  ])('classifies %s as restricted: %s', (address, restricted) => {
    expect(isRestrictedAddress(address)).toBe(restricted);
  });

  it('checks names at resolution, never literals or localhost', () => {
    expect(needsAddressCheck('comet.example.com')).toBe(true);
    expect(needsAddressCheck('127.0.0.1')).toBe(false);
    expect(needsAddressCheck('[::1]')).toBe(false);
    expect(needsAddressCheck('localhost')).toBe(false);
    expect(needsAddressCheck('api.localhost')).toBe(false);
  });

  it('refuses a name resolving to any restricted address, in both lookup forms, and passes public ones through', async () => {
    const fn = guardedLookup('https://comet.example.com', fakeDns({
      'public.example': ['104.18.0.1', '2606:4700::1'],
      'metadata.example': ['169.254.169.254'],
      'mixed.example': ['104.18.0.1', '10.0.0.1'],
    }));
    expect(await lookup(fn, 'public.example', false)).toEqual({ error: null, address: '104.18.0.1' });
    expect((await lookup(fn, 'public.example', true)).address).toHaveLength(2);
    for (const all of [false, true]) {
      expect((await lookup(fn, 'metadata.example', all)).error).toMatchObject({ code: 'FORBIDDEN' });
    }
    expect((await lookup(fn, 'mixed.example', true)).error).toMatchObject({ code: 'FORBIDDEN' });
    expect((await lookup(fn, 'missing.example', false)).error).toMatchObject({ code: 'ENOTFOUND' });
  });
});
