/**
 * One attempt, webhook or email, and what it means for the next: success, retry (after how long), or give
 * up. HTTP goes through an undici Agent whose sockets resolve names through the SSRF guard; redirects are
 * not followed (a 3xx is a failure), the response body is read and dropped.
 */
import { Agent, request } from 'undici';
import nodemailer, { type Transporter } from 'nodemailer';
import type { EmailMessage } from './outbox';
import { signedHeaders } from './signer';
import { guardedLookup } from './ssrf';

export type AttemptResult =
  | { kind: 'delivered'; status: number | null }
  | { kind: 'gone'; status: number }
  | { kind: 'failed'; status: number | null; error: string; retryAfterMs: number | null };

/** `Retry-After` as seconds or an HTTP date, in ms from now; null when absent or unreadable. */
export function retryAfterMs(header: string | string[] | undefined, now: number): number | null {
  const raw = Array.isArray(header) ? header[0] : header;
  if (!raw) return null;
  if (/^\d+$/.test(raw.trim())) return Number(raw.trim()) * 1000;
  const at = Date.parse(raw);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

export class WebhookSender {
  readonly #agent: Agent;

  constructor(private readonly timeoutMs: number, allowPrivate: boolean) {
    this.#agent = new Agent({ connect: { lookup: guardedLookup(allowPrivate), timeout: timeoutMs } });
  }

  /** `stop`: aborted when the gateway shuts down (the attempt then fails with `aborted`). */
  async send(url: string, secrets: readonly string[], id: string, body: string, now: number, stop?: AbortSignal): Promise<AttemptResult> {
    const timestamp = Math.floor(now / 1000);
    try {
      const res = await request(url, {
        method: 'POST',
        headers: signedHeaders(secrets, id, timestamp, body),
        body,
        dispatcher: this.#agent,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
        signal: stop ? AbortSignal.any([AbortSignal.timeout(this.timeoutMs), stop]) : AbortSignal.timeout(this.timeoutMs),
      });
      await res.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
      if (res.statusCode >= 200 && res.statusCode < 300) return { kind: 'delivered', status: res.statusCode };
      if (res.statusCode === 410) return { kind: 'gone', status: 410 };
      return { kind: 'failed', status: res.statusCode, error: `HTTP ${res.statusCode}`, retryAfterMs: retryAfterMs(res.headers['retry-after'], now) };
    } catch (err) {
      const code = (err as { code?: string }).code;
      return { kind: 'failed', status: null, error: code ?? (err instanceof Error ? err.name : 'error'), retryAfterMs: null };
    }
  }

  close(): Promise<void> {
    return this.#agent.close();
  }
}

export class EmailSender {
  readonly #transport: Transporter | null;

  constructor(smtpUrl: string | null, private readonly from: string, timeoutMs: number) {
    this.#transport = smtpUrl
      ? nodemailer.createTransport(`${smtpUrl}${smtpUrl.includes('?') ? '&' : '?'}connectionTimeout=${timeoutMs}&socketTimeout=${timeoutMs}`)
      : null;
  }

  get configured(): boolean {
    return this.#transport !== null;
  }

  async send(message: EmailMessage): Promise<AttemptResult> {
    if (!this.#transport) return { kind: 'failed', status: null, error: 'TRACKQL_SMTP_URL is not set', retryAfterMs: null };
    try {
      await this.#transport.sendMail({
        from: this.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        attachments: message.attachments.map((a) => ({ filename: a.filename, content: Buffer.from(a.contentBase64, 'base64') })),
      });
      return { kind: 'delivered', status: null };
    } catch (err) {
      const code = (err as { responseCode?: number; code?: string });
      return { kind: 'failed', status: code.responseCode ?? null, error: code.code ?? 'SMTP error', retryAfterMs: null };
    }
  }

  close(): void {
    this.#transport?.close();
  }
}
