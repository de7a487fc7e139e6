/**
 * End-of-run email through a real SMTP server on loopback (smtp-server): `notify` on endExperiment sends the
 * summary with the named assets attached, from the outbox; over 10 MB of attachments is refused before the
 * run is ended.
 */
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { loadConfig } from '../../src/config';
import { startGateway, type Gateway } from '../../src/server/app';
import { codes, gql, gqlOk, tempDir } from '../support/gateway';
import { eventually } from '../support/live';

interface Mail { from: string; to: string[]; raw: string }

/** The parts of a multipart message: headers (lower-cased names) and body, decoded from base64 when so encoded. */
function mimeParts(raw: string): { headers: string; body: Buffer }[] {
  const boundary = /boundary="?([^";\r\n]+)"?/i.exec(raw)?.[1];
  if (!boundary) return [];
  return raw.split(`--${boundary}`).slice(1, -1).flatMap((part) => {
    const [head, ...rest] = part.replace(/^\r\n/, '').split('\r\n\r\n');
    const body = rest.join('\r\n\r\n').replace(/\r\n$/, '');
    if (/content-type:\s*multipart\//i.test(head)) return mimeParts(part);
    const decoded = /content-transfer-encoding:\s*base64/i.test(head) ? Buffer.from(body.replace(/\s+/g, ''), 'base64') : Buffer.from(body, 'utf8');
    return [{ headers: head.toLowerCase(), body: decoded }];
  });
}

describe('end-of-run email', () => {
  let smtp: SMTPServer;
  let mails: Mail[];
  let gateway: Gateway;
  let dataDir: string;

  beforeAll(async () => {
    mails = [];
    smtp = new SMTPServer({
      authOptional: true, disabledCommands: ['STARTTLS'], logger: false, size: 30 * 1024 * 1024,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          mails.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
    const { port } = smtp.server.address() as AddressInfo;
    dataDir = tempDir('trackql-mail-');
    gateway = await startGateway(loadConfig({
      TRACKQL_PORT: '0', TRACKQL_DATA_DIR: dataDir, TRACKQL_LOG_LEVEL: 'silent', TRACKQL_WEBHOOK_POLL: '20ms',
      TRACKQL_SMTP_URL: `smtp://127.0.0.1:${port}`, TRACKQL_SMTP_FROM: 'TrackQL <runs@example.test>',
    }));
  });
  afterAll(async () => {
    await gateway?.stop();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function run(name: string): Promise<string> {
    return (await gqlOk(gateway.url, `mutation($n: String!) { createExperiment(input: {workspace: "ml", project: "p", name: $n}) { experiment { key } } }`, { n: name })).createExperiment.experiment.key;
  }

  async function upload(key: string, fileName: string, body: Buffer): Promise<string> {
    const data = await gqlOk(gateway.url, `mutation($k: String!, $f: String!) { createAssetUpload(input: {experimentKey: $k, fileName: $f, type: "asset"}) { uploadUrl } }`, { k: key, f: fileName });
    const res = await fetch(data.createAssetUpload.uploadUrl, { method: 'PUT', body });
    expect(res.status).toBe(201);
    return ((await res.json()) as { asset: { assetId: string } }).asset.assetId;
  }

  const END = `mutation($k: String!, $n: NotifyInput) { endExperiment(input: {experimentKey: $k, status: FINISHED, notify: $n}) { experiment { status } } }`;

  it('emails the summary with the named assets attached', async () => {
    const key = await run('nightly');
    await gqlOk(gateway.url, `mutation($k: String!) { logMetrics(input: {experimentKey: $k, points: [{name: "loss", value: 0.42, step: 7}]}) { accepted } }`, { k: key });
    const report = Buffer.from('epoch,loss\n7,0.42\n');
    const weights = Buffer.from(Array.from({ length: 4096 }, (_, i) => i % 251));
    const [reportId, weightsId] = [await upload(key, 'report.csv', report), await upload(key, 'weights.bin', weights)];
    await gqlOk(gateway.url, END, { k: key, n: { emails: ['team@example.test', 'lead@example.test'], attachAssets: [reportId, weightsId] } });

    await eventually(() => mails.length === 1, 5000, 'the email');
    const [mail] = mails;
    expect(mail.from).toBe('runs@example.test');
    expect(mail.to.sort()).toEqual(['lead@example.test', 'team@example.test']);
    expect(mail.raw).toMatch(/^Subject: \[TrackQL\] nightly finished$/m);
    const parts = mimeParts(mail.raw);
    const text = parts.find((p) => p.headers.includes('text/plain') && !p.headers.includes('filename'));
    expect(text?.body.toString('utf8')).toMatch(/ended: FINISHED[\s\S]*loss: 0\.42 \/ 0\.42 \/ 0\.42 \(step 7\)/);
    const attached = Object.fromEntries(parts.filter((p) => p.headers.includes('filename=')).map((p) => [/filename="?([^";\r\n]+)/.exec(p.headers)?.[1], p.body]));
    expect(Object.keys(attached).sort()).toEqual(['report.csv', 'weights.bin']);
    expect(attached['report.csv'].equals(report)).toBe(true);
    expect(attached['weights.bin'].equals(weights)).toBe(true);
  });

  it('refuses more than 10 MB of attachments before ending the run', async () => {
    const key = await run('big');
    const big = await upload(key, 'big.bin', Buffer.alloc(10 * 1024 * 1024 + 1));
    const res = await gql(gateway.url, END, { k: key, n: { emails: ['team@example.test'], attachAssets: [big] } });
    expect(codes(res)).toEqual(['PAYLOAD_TOO_LARGE']);
    expect((await gqlOk(gateway.url, `query($k: String!) { experiment(key: $k) { status } }`, { k: key })).experiment.status).toBe('RUNNING');
    expect(codes(await gql(gateway.url, END, { k: key, n: { emails: ['not an address'] } }))).toEqual(['BAD_USER_INPUT']);
  });
});
