/**
 * Structured JSON logs: one line per event on stdout. Values under secret-looking keys are redacted, so a
 * header map or config dump never prints a key.
 */
import type { LogLevel } from '../config';

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, notice: 25, warn: 30, error: 40, silent: 100 };
const SECRET_KEY = /authorization|api[-_]?key|secret|password|token|cookie/i;

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  /** Lifecycle events (listening, stopping): shown at `info` and `notice`. */
  notice(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

function redact(value: unknown, depth = 0): unknown {
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? '[redacted]' : redact(v, depth + 1);
  return out;
}

export function createLogger(level: LogLevel, write: (line: string) => void = (l) => process.stdout.write(l)): Logger {
  const threshold = LEVELS[level];
  const log = (lvl: Exclude<LogLevel, 'silent'>) => (msg: string, fields: Record<string, unknown> = {}) => {
    if (LEVELS[lvl] < threshold) return;
    write(`${JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, ...(redact(fields) as object) })}\n`);
  };
  return { debug: log('debug'), info: log('info'), notice: log('notice'), warn: log('warn'), error: log('error') };
}
