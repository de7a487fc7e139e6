/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/) without a tracer: each HTTP request gets a trace
 * id, taken from a valid incoming `traceparent` or generated, carried in an AsyncLocalStorage so that
 * every log line written while serving the request names it, and every Comet call made for it sends a
 * child `traceparent` upstream. Nothing here records spans: with OpenTelemetry configured (see otel.ts),
 * its own instrumentation does.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomFillSync } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from './logger';

export interface TraceContext {
  /** 32 lowercase hex digits, never all zeros. */
  readonly traceId: string;
  /** This gateway's span for the request: 16 lowercase hex digits. */
  readonly spanId: string;
  /** The caller's span, when a valid `traceparent` came in. */
  readonly parentId: string | null;
  /** Trace flags, 2 hex digits (`01`: the caller samples this trace). */
  readonly flags: string;
  /** The caller's `tracestate`, passed on unchanged with our `traceparent` (§3.3: vendors must propagate it). */
  readonly tracestate: string | null;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);
/** §3.3.1.1: at most 32 list members of at most 256 characters; 512 is the length vendors must keep. */
const MAX_TRACESTATE = 512;

/** The parts of a `traceparent` header, or null when it is absent or invalid (then a new trace starts, §3.2.2). */
export function parseTraceparent(header: string | readonly string[] | undefined): { traceId: string; parentId: string; flags: string } | null {
  // Several traceparent headers cannot be combined into one: treat them as invalid (§3.2).
  if (typeof header !== 'string') return null;
  const match = TRACEPARENT.exec(header.trim());
  if (!match) return null;
  const [, version, traceId, parentId, flags, rest] = match;
  // Version ff is forbidden; version 00 has exactly four fields. Later versions may add fields (§3.2.4).
  if (version === 'ff' || (version === '00' && rest !== undefined)) return null;
  if (traceId === ZERO_TRACE || parentId === ZERO_SPAN) return null;
  return { traceId, parentId, flags };
}

export function formatTraceparent(traceId: string, spanId: string, flags: string): string {
  return `00-${traceId}-${spanId}-${flags}`;
}

/**
 * Random bytes for ids, taken from a pool refilled 4 KiB at a time: one `randomBytes` call per id cost about
 * 7 µs (two per request, 4% of a small query's CPU in a profile), a slice of the pool well under 1 µs. Each
 * byte is used once. Trace ids are not secrets, but they stay unpredictable: the pool is crypto-random.
 */
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

function randomHex(bytes: number, zero: string): string {
  for (;;) {
    if (poolOffset + bytes > pool.length) {
      randomFillSync(pool);
      poolOffset = 0;
    }
    const hex = pool.toString('hex', poolOffset, poolOffset + bytes);
    poolOffset += bytes;
    if (hex !== zero) return hex;
  }
}

export const newSpanId = (): string => randomHex(8, ZERO_SPAN);

/** The trace of one incoming request: the caller's trace continued, or a new one (flags `00`: we do not sample). */
export function traceFromHeaders(headers: IncomingMessage['headers']): TraceContext {
  const parent = parseTraceparent(headers.traceparent);
  const state = parent && typeof headers.tracestate === 'string' && headers.tracestate.length <= MAX_TRACESTATE ? headers.tracestate.trim() : null;
  return {
    traceId: parent?.traceId ?? randomHex(16, ZERO_TRACE),
    spanId: newSpanId(),
    parentId: parent?.parentId ?? null,
    flags: parent?.flags ?? '00',
    tracestate: state || null,
  };
}

const storage = new AsyncLocalStorage<TraceContext>();

/** The trace of the request being served; null outside any request (at start, in timers started before one). */
export function currentTrace(): TraceContext | null {
  return storage.getStore() ?? null;
}

/**
 * Runs `handle` inside the request's trace, and tells the caller the trace in a `traceparent` response
 * header (with this gateway's span id), so a client can quote it in a bug report.
 */
export function runTraced<T>(req: IncomingMessage, res: ServerResponse, handle: () => T): T {
  const trace = traceFromHeaders(req.headers);
  res.setHeader('traceparent', formatTraceparent(trace.traceId, trace.spanId, trace.flags));
  return storage.run(trace, handle);
}

/**
 * Headers for one upstream call: a `traceparent` naming a new child span of ours (each call is its own
 * span), and the caller's `tracestate`. Empty outside a request.
 */
export function upstreamTraceHeaders(): Record<string, string> {
  const trace = currentTrace();
  if (!trace) return {};
  const headers: Record<string, string> = { traceparent: formatTraceparent(trace.traceId, newSpanId(), trace.flags) };
  if (trace.tracestate) headers.tracestate = trace.tracestate;
  return headers;
}

/** A logger that adds `traceId` to every line written while a request is being served. */
export function withTraceIds(logger: Logger): Logger {
  const wrap = (level: keyof Logger): Logger[keyof Logger] => (msg, fields) => {
    const trace = currentTrace();
    logger[level](msg, trace ? { traceId: trace.traceId, ...fields } : fields);
  };
  return { debug: wrap('debug'), info: wrap('info'), notice: wrap('notice'), warn: wrap('warn'), error: wrap('error') };
}
