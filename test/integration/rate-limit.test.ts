/**
 * Rate limits per API key at the gateway: a token bucket in memory, or shared by replicas through a real
 * redis-server; over the limit, HTTP 429 with RATE_LIMITED, `retryAfter` and a Retry-After header.
 */
import { spawnSync } from 'node:child_process';
import { startChildGateway, type ChildGateway } from '../support/gateway';
import { eventually, sleep, startRedis, type RedisServer } from '../support/live';
import { MemoryRateLimiter } from '../../src/server/rate-limit';

const QUERY = JSON.stringify({ query: '{ workspaces { name } }' });

interface Answer {
  status: number;
  retryAfter: string | null;
  code: string | undefined;
  extensions: Record<string, unknown> | undefined;
}

async function ask(url: string, key?: string): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key) headers.authorization = key;
  const res = await fetch(`${url}/graphql`, { method: 'POST', headers, body: QUERY });
  const body = (await res.json()) as { errors?: { extensions?: Record<string, unknown> }[] };
  const extensions = body.errors?.[0]?.extensions;
  return { status: res.status, retryAfter: res.headers.get('retry-after'), code: extensions?.code as string | undefined, extensions };
}

const limited = (a: Answer) => a.status === 429;

describe('the token bucket', () => {
  it('allows a burst, then one request per 1/rate seconds, and says when to come back', () => {
    let now = 0;
    const limiter = new MemoryRateLimiter({ perSecond: 2, burst: 3 }, () => now);
    expect([1, 2, 3, 4].map(() => limiter.takeNow('k').allowed)).toEqual([true, true, true, false]);
    expect(limiter.takeNow('k')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(limiter.takeNow('other').allowed).toBe(true);
    now += 500;
    expect(limiter.takeNow('k').allowed).toBe(true);
    expect(limiter.takeNow('k').allowed).toBe(false);
    now += 60_000;
    expect([1, 2, 3, 4].map(() => limiter.takeNow('k').allowed)).toEqual([true, true, true, false]);
  });
});

describe('rate limits in one gateway', () => {
  let gw: ChildGateway;
  beforeAll(async () => {
    gw = await startChildGateway({ TRACKQL_LOG_LEVEL: 'notice', TRACKQL_RATE_LIMIT: '0.5', TRACKQL_RATE_LIMIT_BURST: '3' });
  });
  afterAll(() => gw.dispose());

  it('answers 429 RATE_LIMITED with retryAfter and Retry-After past the burst, per API key', async () => {
    const a = [];
    for (let i = 0; i < 4; i += 1) a.push(await ask(gw.url, 'key-a-0123456789'));
    expect(a.slice(0, 3).map(limited)).toEqual([false, false, false]);
    expect(a[3]).toMatchObject({ status: 429, code: 'RATE_LIMITED', retryAfter: '2', extensions: { retryAfter: 2 } });
    // Another key has its own bucket; so do anonymous callers (per client address).
    expect(limited(await ask(gw.url, 'key-b-0123456789'))).toBe(false);
    expect(limited(await ask(gw.url))).toBe(false);
    // Health and readiness are never limited.
    expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
  });
});

describe('rate limits shared through Redis', () => {
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    throw new Error('redis-server is not installed: apt-get install -y redis-server (.ci/run does it)');
  }
  let redis: RedisServer;
  let a: ChildGateway;
  let b: ChildGateway;

  beforeAll(async () => {
    redis = await startRedis();
    const env = { TRACKQL_LOG_LEVEL: 'notice', TRACKQL_REDIS_URL: redis.url, TRACKQL_RATE_LIMIT: '0.2', TRACKQL_RATE_LIMIT_BURST: '4' };
    a = await startChildGateway(env);
    b = await startChildGateway(env);
  }, 60_000);
  afterAll(async () => {
    await a?.dispose();
    await b?.dispose();
    await redis?.dispose();
  });

  it('spends one bucket per key across replicas, and limits each replica alone while Redis is away', async () => {
    const key = 'shared-key-0123456789';
    let probe = 0;
    // Until both replicas reach Redis: a burst spent on A leaves nothing for B.
    await eventually(async () => {
      const warm = `warm-${(probe += 1)}-0123456789`;
      for (let i = 0; i < 4; i += 1) await ask(a.url, warm);
      return limited(await ask(b.url, warm));
    }, 10_000, 'replicas sharing Redis');
    const answers: Answer[] = [];
    for (const url of [a.url, b.url, a.url, b.url, a.url, b.url]) answers.push(await ask(url, key));
    expect(answers.map(limited)).toEqual([false, false, false, false, true, true]);
    expect(answers[5]).toMatchObject({ code: 'RATE_LIMITED', retryAfter: '5' });

    await redis.kill();
    await sleep(300);
    // Each replica now has its own (full) bucket for the key: serving goes on, still limited.
    const alone: Answer[] = [];
    for (let i = 0; i < 5; i += 1) alone.push(await ask(b.url, key));
    expect(alone.map(limited)).toEqual([false, false, false, false, true]);
    expect(alone[4].code).toBe('RATE_LIMITED');

    await redis.start();
    // Each replica says so once a rate check reaches Redis again; throwaway keys trigger the checks.
    const back = (gw: ChildGateway) => gw.logs.some((line) => line.includes('rate limits shared through Redis again'));
    await eventually(async () => {
      for (const gw of [a, b]) if (!back(gw)) await ask(gw.url, `probe-${(probe += 1)}-0123456789`);
      return back(a) && back(b);
    }, 15_000, 'both replicas on Redis again');
    // Redis came back empty: a new key's bucket is spent across replicas again.
    const again = 'again-key-0123456789';
    const more: Answer[] = [];
    for (const url of [b.url, a.url, b.url, a.url, b.url]) more.push(await ask(url, again));
    expect(more.map(limited)).toEqual([false, false, false, false, true]);
  }, 60_000);
});
