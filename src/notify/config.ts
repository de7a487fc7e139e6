/**
 * Settings of webhooks, metric alerts and email (TRACKQL_WEBHOOK_*, TRACKQL_SMTP_*), parsed once at start
 * into a frozen object; an invalid value stops the start with one line (ConfigError).
 */
import { ConfigError } from '../config';

export interface NotifyConfig {
  /** Let webhook URLs reach loopback, link-local and private addresses (off: the SSRF guard refuses them). */
  readonly allowPrivate: boolean;
  /** Delay before each retry after a failed attempt, in ms; past the last one the delivery is FAILED. */
  readonly retryScheduleMs: readonly number[];
  /** Deadline of one delivery attempt (connect to end of response), in ms. */
  readonly timeoutMs: number;
  /** An endpoint failing without a success for this long is disabled, in ms. */
  readonly disableAfterMs: number;
  /** How often the worker looks for due deliveries, in ms. */
  readonly pollMs: number;
  /** SMTP server (`smtp://user:pass@host:port`); null: email notifications are refused. */
  readonly smtpUrl: string | null;
  /** Sender address of notification emails. */
  readonly smtpFrom: string;
  /** 32-byte key (base64) that seals webhook secrets at rest; null: one is generated in the data dir. */
  readonly sealingKey: string | null;
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `500ms`, `5s`, `30m`, `2h`, `3d` (a bare number is milliseconds). */
export function parseDuration(raw: string, name: string): number {
  const match = /^(\d+)(ms|s|m|h|d)?$/.exec(raw.trim());
  if (!match) throw new ConfigError(`${name} must be durations such as 5s, 30m, 2h or 3d, got '${raw}'`);
  return Number(match[1]) * UNITS[match[2] ?? 'ms'];
}

/** Standard Webhooks' suggested schedule, shortened to seven retries (≈ 42 h in all). */
export const DEFAULT_RETRY_SCHEDULE = '5s,5m,30m,2h,5h,10h,24h';

type Env = Readonly<Record<string, string | undefined>>;

function value(env: Env, name: string): string | null {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? null : raw.trim();
}

function flag(env: Env, name: string): boolean {
  const raw = value(env, name)?.toLowerCase() ?? 'false';
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got '${raw}'`);
}

function duration(env: Env, name: string, fallback: string, min: number): number {
  const ms = parseDuration(value(env, name) ?? fallback, name);
  if (ms < min) throw new ConfigError(`${name} must be at least ${min} ms, got ${ms} ms`);
  return ms;
}

export function loadNotifyConfig(env: Env): NotifyConfig {
  const schedule = (value(env, 'TRACKQL_WEBHOOK_RETRY_SCHEDULE') ?? DEFAULT_RETRY_SCHEDULE).split(',').map((s) => parseDuration(s, 'TRACKQL_WEBHOOK_RETRY_SCHEDULE'));
  if (schedule.length > 20) throw new ConfigError(`TRACKQL_WEBHOOK_RETRY_SCHEDULE may hold at most 20 delays, got ${schedule.length}`);
  const smtpUrl = value(env, 'TRACKQL_SMTP_URL');
  if (smtpUrl !== null && !/^smtps?:\/\/[^/]+/.test(smtpUrl)) throw new ConfigError(`TRACKQL_SMTP_URL must be a URL such as smtp://host:587, got a value of another form`);
  const sealingKey = value(env, 'TRACKQL_WEBHOOK_SEALING_KEY');
  if (sealingKey !== null && Buffer.from(sealingKey, 'base64').length !== 32) throw new ConfigError('TRACKQL_WEBHOOK_SEALING_KEY must be 32 bytes in base64 (openssl rand -base64 32)');
  return Object.freeze({
    allowPrivate: flag(env, 'TRACKQL_WEBHOOK_ALLOW_PRIVATE'),
    retryScheduleMs: Object.freeze(schedule),
    timeoutMs: duration(env, 'TRACKQL_WEBHOOK_TIMEOUT', '15s', 100),
    disableAfterMs: duration(env, 'TRACKQL_WEBHOOK_DISABLE_AFTER', '3d', 1000),
    pollMs: duration(env, 'TRACKQL_WEBHOOK_POLL', '1s', 10),
    smtpUrl,
    smtpFrom: value(env, 'TRACKQL_SMTP_FROM') ?? 'TrackQL <trackql@localhost>',
    sealingKey,
  });
}
