/** The caller of a graphql-ws connection, from its connectionParams (the one boundary for that input). */
import { callerFromConnectionParams } from '../../src/server/live-auth';
import { keyIdOf } from '../../src/server/identity';

describe('callerFromConnectionParams', () => {
  it.each([
    [{ authorization: 'abc' }, 'abc'],
    [{ Authorization: 'Bearer abc' }, 'abc'],
    [{ authorization: 'bearer abc', Authorization: 'bearer abc' }, 'bearer abc'.replace('bearer ', '')],
    [{ other: 'x' }, null],
    [undefined, null],
  ])('reads %j as key %s', (params, key) => {
    const auth = callerFromConnectionParams(params, undefined);
    expect(auth).toEqual({ ok: true, caller: key ? { apiKey: key, keyId: keyIdOf(key) } : { apiKey: null, keyId: 'anonymous' } });
  });

  it('falls back to the upgrade request header only when connectionParams carry no key', () => {
    expect(callerFromConnectionParams(undefined, 'Bearer h')).toMatchObject({ ok: true, caller: { apiKey: 'h' } });
    expect(callerFromConnectionParams({ authorization: 'p' }, 'Bearer h')).toMatchObject({ ok: true, caller: { apiKey: 'p' } });
  });

  it.each([
    [['a'], 'connectionParams must be an object'],
    [{ authorization: 42 }, 'connectionParams.authorization must be a string'],
    [{ authorization: 'a', Authorization: 'b' }, 'connectionParams has two different authorization values'],
    [{ authorization: 'x'.repeat(3000) }, 'connectionParams.authorization must be at most 2048 characters'],
    [{ authorization: 'a\nb' }, 'connectionParams.authorization must not contain control characters'],
    [{ big: 'x'.repeat(9000) }, 'connectionParams must be at most 8192 bytes'],
  ])('refuses %j with a reason that fits a close frame', (params, reason) => {
    const auth = callerFromConnectionParams(params, undefined);
    expect(auth).toEqual({ ok: false, reason });
    expect(Buffer.byteLength(`Invalid connectionParams: ${reason}`)).toBeLessThanOrEqual(123);
  });
});
