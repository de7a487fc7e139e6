/**
 * The URL-signing secret: the operator's (`TRACKQL_URL_SECRETS`), or one generated on first start and kept in
 * the data dir (mode 0600), so signed URLs survive restarts with zero set-up.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export function loadUrlSecrets(configured: readonly string[], dataDir: string): readonly string[] {
  if (configured.length > 0) return configured;
  const file = path.join(dataDir, 'url-secret');
  try {
    const existing = readFileSync(file, 'utf8').trim();
    if (existing.length >= 16) return [existing];
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'w' });
  return [secret];
}
