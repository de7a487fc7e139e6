/**
 * Webhook secrets at rest: sealed with AES-256-GCM under a key of the operator's
 * (TRACKQL_WEBHOOK_SEALING_KEY) or one generated on first start in the data dir (mode 0600), shared by every
 * replica on that dir. A copy of the database alone does not reveal a secret.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const FILE = 'webhook-sealing-key';

export class Sealer {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('a sealing key is 32 bytes');
    this.#key = key;
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `v1.${iv.toString('base64')}.${cipher.getAuthTag().toString('base64')}.${body.toString('base64')}`;
  }

  open(sealed: string): string {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || body === undefined) throw new Error('not a sealed secret');
    const decipher = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
  }
}

/** The operator's key, else the data dir's (created exclusively, so two replicas starting at once agree). */
export function loadSealer(configured: string | null, dataDir: string): Sealer {
  if (configured) return new Sealer(Buffer.from(configured, 'base64'));
  const file = path.join(dataDir, FILE);
  mkdirSync(dataDir, { recursive: true });
  // Written whole under a private name, then linked: a replica never reads a half-written key.
  const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(draft, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(draft, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    rmSync(draft, { force: true });
  }
  return new Sealer(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64'));
}
