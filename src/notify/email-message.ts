/**
 * The end-of-run email: who, subject, a plain-text summary (status, duration, final metric summaries, link)
 * and the named assets, read with the caller's own access before the run is ended, at most 10 MB in all.
 */
import type { Backend, Caller, Experiment, MetricSummary } from '../backends/port';
import { BadUserInputError, NotFoundError, PayloadTooLargeError } from '../errors';
import type { EmailMessage } from './outbox';

export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
const MAX_RECIPIENTS = 20;
const EMAIL = /^[^\s@<>(),;:"]{1,64}@[A-Za-z0-9.-]{1,253}$/;

export interface NotifyRequest {
  emails: readonly string[];
  attachAssets?: readonly string[] | null;
}

export function checkRecipients(emails: readonly string[]): string[] {
  if (emails.length === 0) throw new BadUserInputError('notify.emails must hold at least one address', { field: 'notify.emails' });
  if (emails.length > MAX_RECIPIENTS) throw new BadUserInputError(`notify.emails may hold at most ${MAX_RECIPIENTS} addresses, got ${emails.length}`, { field: 'notify.emails' });
  return [...new Set(emails.map((raw, i) => {
    const email = raw.trim();
    if (!EMAIL.test(email)) throw new BadUserInputError(`notify.emails[${i}] must be an address such as team@example.com`, { field: `notify.emails[${i}]` });
    return email;
  }))];
}

/** Reads the named assets whole; PAYLOAD_TOO_LARGE (before anything is ended) past 10 MB in total. */
export async function readAttachments(backend: Backend, caller: Caller, experimentKey: string, assetIds: readonly string[]): Promise<EmailMessage['attachments']> {
  const ids = [...new Set(assetIds.map((a) => a.trim()))];
  if (ids.length === 0) return [];
  const assets = await backend.assets.get(caller, ids.map((assetId) => ({ experimentKey, assetId })));
  let total = 0;
  assets.forEach((asset, i) => {
    if (asset instanceof Error) throw asset;
    if (asset === null) throw new NotFoundError(`Asset '${ids[i]}' of experiment '${experimentKey}' does not exist`, { field: 'notify.attachAssets' });
    total += asset.size;
  });
  if (total > MAX_ATTACHMENT_BYTES) {
    throw new PayloadTooLargeError(`notify.attachAssets may total at most ${MAX_ATTACHMENT_BYTES} bytes, got ${total}`, { field: 'notify.attachAssets', max: MAX_ATTACHMENT_BYTES });
  }
  const out: EmailMessage['attachments'] = [];
  for (const assetId of ids) {
    const opened = await backend.assets.open(caller, experimentKey, assetId);
    if (!opened) throw new NotFoundError(`Asset '${assetId}' of experiment '${experimentKey}' does not exist`, { field: 'notify.attachAssets' });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of opened.stream) {
      size += (chunk as Buffer).length;
      if (size > MAX_ATTACHMENT_BYTES) throw new PayloadTooLargeError(`notify.attachAssets may total at most ${MAX_ATTACHMENT_BYTES} bytes`, { field: 'notify.attachAssets' });
      chunks.push(chunk as Buffer);
    }
    out.push({ filename: opened.asset.fileName, contentBase64: Buffer.concat(chunks).toString('base64') });
  }
  return out;
}

export function composeEmail(to: string[], attachments: EmailMessage['attachments'], e: Experiment, summaries: readonly MetricSummary[]): EmailMessage {
  const name = e.name ?? e.key;
  const duration = e.startedAt !== null && e.endedAt !== null ? `${Math.round((e.endedAt - e.startedAt) / 1000)} s` : 'unknown';
  const lines = [
    `Run ${name} (${e.key}) in ${e.workspace}/${e.project} ended: ${e.status}.`,
    `Duration: ${duration}`,
    e.url ? `Link: ${e.url}` : null,
    '',
    summaries.length > 0 ? 'Final metrics (last / min / max):' : 'No metrics were logged.',
    ...summaries.map((s) => `  ${s.name}: ${s.last} / ${s.min} / ${s.max}${s.lastStep === null ? '' : ` (step ${s.lastStep})`}`),
    attachments.length > 0 ? `\nAttached: ${attachments.map((a) => a.filename).join(', ')}` : null,
  ].filter((l): l is string => l !== null);
  return { to, subject: `[TrackQL] ${name} ${e.status.toLowerCase()}`, text: `${lines.join('\n')}\n`, attachments };
}
