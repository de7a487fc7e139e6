import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../src/observability/logger';
import {
  currentTrace, parseTraceparent, runTraced, traceFromHeaders, upstreamTraceHeaders, withTraceIds,
} from '../../src/observability/trace';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';

describe('parseTraceparent', () => {
  it('reads a valid version-00 header', () => {
    expect(parseTraceparent(`00-${TRACE}-${PARENT}-01`)).toEqual({ traceId: TRACE, parentId: PARENT, flags: '01' });
  });

  it('accepts a later version with more fields, as the spec asks', () => {
    expect(parseTraceparent(`cc-${TRACE}-${PARENT}-00-what-the-future-holds`)).toEqual({ traceId: TRACE, parentId: PARENT, flags: '00' });
  });

  it.each([
    ['absent', undefined],
    ['two headers', [`00-${TRACE}-${PARENT}-01`, `00-${TRACE}-${PARENT}-01`]],
    ['version ff', `ff-${TRACE}-${PARENT}-01`],
    ['version 00 with extra fields', `00-${TRACE}-${PARENT}-01-extra`],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-${PARENT}-01`],
    ['an all-zero parent id', `00-${TRACE}-${'0'.repeat(16)}-01`],
    ['upper-case hex', `00-${TRACE.toUpperCase()}-${PARENT}-01`],
    ['a short trace id', `00-${TRACE.slice(1)}-${PARENT}-01`],
    ['garbage', 'hello'],
  ])('refuses %s', (_what, header) => {
    expect(parseTraceparent(header)).toBeNull();
  });
});

describe('traceFromHeaders', () => {
  it('continues the caller’s trace with a span of its own, keeping flags and tracestate', () => {
    const trace = traceFromHeaders({ traceparent: `00-${TRACE}-${PARENT}-01`, tracestate: 'vendor=abc' });
    expect(trace).toMatchObject({ traceId: TRACE, parentId: PARENT, flags: '01', tracestate: 'vendor=abc' });
    expect(trace.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(trace.spanId).not.toBe(PARENT);
  });

  it('starts a new, unsampled trace without a valid traceparent, and ignores tracestate then', () => {
    const trace = traceFromHeaders({ traceparent: 'nope', tracestate: 'vendor=abc' });
    expect(trace.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(trace).toMatchObject({ parentId: null, flags: '00', tracestate: null });
    expect(traceFromHeaders({}).traceId).not.toBe(trace.traceId);
  });
});

describe('runTraced', () => {
  async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; close: () => Promise<void> }> {
    const server = createServer((req, res) => runTraced(req, res, () => handler(req, res)));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
  }

  it('answers with a traceparent of the same trace, and makes it current through async work', async () => {
    const seen: { upstream: Record<string, string>; traceId?: string }[] = [];
    const server = await serve((_req, res) => {
      setTimeout(() => {
        seen.push({ upstream: upstreamTraceHeaders(), traceId: currentTrace()?.traceId });
        res.end('ok');
      }, 5);
    });
    try {
      const res = await fetch(server.url, { headers: { traceparent: `00-${TRACE}-${PARENT}-01`, tracestate: 'a=1' } });
      await res.text();
      const answered = res.headers.get('traceparent') ?? '';
      expect(answered).toMatch(new RegExp(`^00-${TRACE}-[0-9a-f]{16}-01$`));
      expect(seen[0].traceId).toBe(TRACE);
      // Upstream: same trace, a new child span (neither the caller's nor ours), the caller's tracestate.
      const upstream = seen[0].upstream;
      expect(upstream.traceparent).toMatch(new RegExp(`^00-${TRACE}-[0-9a-f]{16}-01$`));
      expect(upstream.traceparent.split('-')[2]).not.toBe(PARENT);
      expect(upstream.traceparent).not.toBe(answered);
      expect(upstream.tracestate).toBe('a=1');
    } finally {
      await server.close();
    }
  });

  it('sends nothing upstream outside a request', () => {
    expect(currentTrace()).toBeNull();
    expect(upstreamTraceHeaders()).toEqual({});
  });
});

describe('withTraceIds', () => {
  it('adds the trace id to lines written inside a request only', async () => {
    const lines: { msg: string; fields?: Record<string, unknown> }[] = [];
    const record = (msg: string, fields?: Record<string, unknown>) => void lines.push({ msg, fields });
    const base: Logger = { debug: record, info: record, notice: record, warn: record, error: record };
    const logger = withTraceIds(base);
    logger.info('outside', { a: 1 });
    const server = createServer((req, res) => runTraced(req, res, () => {
      logger.warn('inside', { b: 2 });
      res.end();
    }));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    await (await fetch(`http://127.0.0.1:${port}`, { headers: { traceparent: `00-${TRACE}-${PARENT}-00` } })).text();
    await new Promise<void>((r) => server.close(() => r()));
    expect(lines).toEqual([{ msg: 'outside', fields: { a: 1 } }, { msg: 'inside', fields: { traceId: TRACE, b: 2 } }]);
  });
});
