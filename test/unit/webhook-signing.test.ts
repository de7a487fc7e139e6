/** Standard Webhooks signing, the SSRF guard's address ranges, and the notification settings. */
import { loadNotifyConfig, parseDuration } from '../../src/notify/config';
import { WebhookSender, retryAfterMs } from '../../src/notify/sender';
import { startReceiver } from '../support/webhook-receiver';
import { Sealer } from '../../src/notify/seal';
import { newSecret, signature, signedHeaders } from '../../src/notify/signer';
import { checkWebhookUrl, guardedLookup, isPrivateAddress } from '../../src/notify/ssrf';

describe('webhook signatures', () => {
  it('matches the example of the Standard Webhooks specification', () => {
    // The specification's example: secret, id, timestamp and body as given there, and the signature it shows.
    const sig = signature('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}');
    expect(sig).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('signs with every live secret, space-separated, under both header names', () => {
    const [a, b] = [newSecret(), newSecret()];
    const headers = signedHeaders([a, b], 'msg_1', 1700000000, '{}');
    expect(headers['webhook-signature'].split(' ')).toEqual([signature(a, 'msg_1', 1700000000, '{}'), signature(b, 'msg_1', 1700000000, '{}')]);
    expect(headers['x-mlflow-signature']).toBe(headers['webhook-signature']);
    expect(headers['webhook-id']).toBe('msg_1');
    expect(headers['webhook-timestamp']).toBe('1700000000');
  });

  it('seals secrets so that only the key opens them', () => {
    const sealer = new Sealer(Buffer.alloc(32, 1));
    const sealed = sealer.seal('whsec_abc');
    expect(sealed).not.toContain('abc');
    expect(sealer.open(sealed)).toBe('whsec_abc');
    expect(() => new Sealer(Buffer.alloc(32, 2)).open(sealed)).toThrow();
  });
});

describe('the SSRF guard', () => {
  it.each(['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '0.0.0.0', '::1', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '100.64.0.1'])(
    'refuses %s', (address) => expect(isPrivateAddress(address)).toBe(true),
  );
  it.each(['93.184.216.34', '8.8.8.8', '2606:4700::1111'])('allows %s', (address) => expect(isPrivateAddress(address)).toBe(false));

  it('refuses private literals, other schemes and credentials with BAD_USER_INPUT, unless private targets are allowed', async () => {
    await expect(checkWebhookUrl('http://127.0.0.1:9/x', false)).rejects.toMatchObject({ code: 'BAD_USER_INPUT', extensions: { reason: 'PRIVATE_ADDRESS' } });
    await expect(checkWebhookUrl('http://[::1]/x', false)).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(checkWebhookUrl('http://localhost:9/x', false)).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(checkWebhookUrl('file:///etc/passwd', true)).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(checkWebhookUrl('https://u:p@127.0.0.1/x', true)).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(checkWebhookUrl('http://127.0.0.1:9/x', true)).resolves.toBe('http://127.0.0.1:9/x');
  });
});

describe('the SSRF guard at connect time', () => {
  const resolve = (allowPrivate: boolean) => new Promise<{ err: NodeJS.ErrnoException | null; address: unknown }>((done) =>
    guardedLookup(allowPrivate)('localhost', {}, (err, address) => done({ err, address })));

  it('refuses a name that resolves only to private addresses, unless allowed', async () => {
    expect((await resolve(false)).err).toMatchObject({ code: 'WEBHOOK_URL_PRIVATE' });
    const allowed = await resolve(true);
    expect(allowed.err).toBeNull();
    expect(isPrivateAddress(String(allowed.address))).toBe(true);
  });

  it('is what the sender connects through: a name resolving to loopback is not reached unless allowed', async () => {
    const receiver = await startReceiver();
    const url = receiver.url.replace('127.0.0.1', 'localhost');
    const [guarded, open] = [new WebhookSender(2000, false), new WebhookSender(2000, true)];
    try {
      expect(await guarded.send(url, [newSecret()], 'msg_1', '{}', Date.now())).toMatchObject({ kind: 'failed', status: null });
      expect(receiver.received).toHaveLength(0);
      expect(await open.send(url, [newSecret()], 'msg_1', '{}', Date.now())).toEqual({ kind: 'delivered', status: 204 });
      expect(receiver.received).toHaveLength(1);
    } finally {
      await Promise.all([guarded.close(), open.close(), receiver.close()]);
    }
  });
});

describe('notification settings', () => {
  it('reads durations with units and the retry schedule', () => {
    expect(parseDuration('250ms', 'X')).toBe(250);
    expect(parseDuration('5m', 'X')).toBe(300_000);
    expect(loadNotifyConfig({}).retryScheduleMs).toEqual([5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 86_400_000]);
    expect(loadNotifyConfig({ TRACKQL_WEBHOOK_RETRY_SCHEDULE: '100ms, 2s' }).retryScheduleMs).toEqual([100, 2000]);
    expect(loadNotifyConfig({}).timeoutMs).toBe(15_000);
    expect(loadNotifyConfig({}).disableAfterMs).toBe(3 * 86_400_000);
  });

  it('fails the start with one clear line on a bad value', () => {
    expect(() => loadNotifyConfig({ TRACKQL_WEBHOOK_RETRY_SCHEDULE: '5 minutes' })).toThrow(/TRACKQL_WEBHOOK_RETRY_SCHEDULE must be durations such as 5s/);
    expect(() => loadNotifyConfig({ TRACKQL_WEBHOOK_ALLOW_PRIVATE: 'maybe' })).toThrow(/TRACKQL_WEBHOOK_ALLOW_PRIVATE must be true or false/);
    expect(() => loadNotifyConfig({ TRACKQL_SMTP_URL: 'mail.example.com' })).toThrow(/TRACKQL_SMTP_URL must be a URL/);
    expect(() => loadNotifyConfig({ TRACKQL_WEBHOOK_SEALING_KEY: 'c2hvcnQ=' })).toThrow(/32 bytes/);
  });

  it('reads Retry-After as seconds or as a date', () => {
    expect(retryAfterMs('3', 0)).toBe(3000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(retryAfterMs(undefined, 0)).toBeNull();
    expect(retryAfterMs('soon', 0)).toBeNull();
  });
});
