import { UrlSigner } from '../../src/services/signing';

const claims = { purpose: 'upload' as const, keyId: 'k_1', experimentKey: 'abc', exp: 2_000_000_000 };

describe('UrlSigner', () => {
  const now = () => 1_900_000_000_000;

  it('verifies what it signed', () => {
    const signer = new UrlSigner(['secret-number-one-xx'], now);
    expect(signer.verify(signer.sign(claims), 'upload')).toEqual({ ok: true, claims });
  });

  it('refuses a token whose claims were changed', () => {
    const signer = new UrlSigner(['secret-number-one-xx'], now);
    const [, sig] = signer.sign(claims).split('.');
    const forged = `${Buffer.from(JSON.stringify({ ...claims, experimentKey: 'other' })).toString('base64url')}.${sig}`;
    expect(signer.verify(forged, 'upload')).toEqual({ ok: false, reason: 'forged' });
  });

  it('refuses expired tokens and tokens of another purpose', () => {
    const signer = new UrlSigner(['secret-number-one-xx'], now);
    expect(signer.verify(signer.sign({ ...claims, exp: 1_800_000_000 }), 'upload')).toEqual({ ok: false, reason: 'expired' });
    expect(signer.verify(signer.sign(claims), 'download')).toEqual({ ok: false, reason: 'wrong-purpose' });
  });

  it('refuses malformed tokens', () => {
    const signer = new UrlSigner(['secret-number-one-xx'], now);
    for (const token of ['', '.', 'abc', `${'a'.repeat(9000)}.b`]) {
      expect(signer.verify(token, 'upload').ok).toBe(false);
    }
  });

  it('keeps old URLs valid while a new secret is rotated in', () => {
    const old = new UrlSigner(['secret-number-one-xx'], now);
    const rotated = new UrlSigner(['secret-number-two-xx', 'secret-number-one-xx'], now);
    expect(rotated.verify(old.sign(claims), 'upload').ok).toBe(true);
    expect(old.verify(rotated.sign(claims), 'upload')).toEqual({ ok: false, reason: 'forged' });
  });
});

describe('UrlSigner.seal', () => {
  it('round-trips a value, unreadable in the sealed form, across a rotation', () => {
    const old = new UrlSigner(['secret-number-one-xx']);
    const sealed = old.seal('my-api-key');
    expect(sealed).not.toContain('my-api-key');
    expect(Buffer.from(sealed, 'base64url').toString('latin1')).not.toContain('my-api-key');
    expect(new UrlSigner(['secret-number-two-xx', 'secret-number-one-xx']).unseal(sealed)).toBe('my-api-key');
    expect(new UrlSigner(['secret-number-two-xx']).unseal(sealed)).toBeNull();
    expect(old.unseal('garbage')).toBeNull();
  });
});
