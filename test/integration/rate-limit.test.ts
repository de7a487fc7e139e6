/**
 * Rate limits at the gateway, one token bucket per authenticated identity and one per client address for
 * everyone else: in memory, or shared by replicas through a real redis-server; over the limit, HTTP 429 with
 * RATE_LIMITED, `retryAfter` and a Retry-After header.
 */
import fs from 'node:fs';
import { openKeyStore } from '../../src/auth/key-store';
import { loadConfig } from '../../src/config';
import { startGateway } from '../../src/server/app';
import { createLogger } from '../../src/observability/logger';
import { SIM_KEY, startSim, tempDataDir } from '../support/comet-backend';
import { startChildGateway, tempDir, type ChildGateway } from '../support/gateway';
import { eventually, sleep, startRedis, type RedisServer } from '../support/live';
import { MemoryRateLimiter } from '../../src/server/rate-limit';
import { describeWith } from '../support/tools';

/** Creates store keys in `dataDir` (before the gateway starts), one per name. */
function createKeys(dataDir: string, names: readonly string[]): Record<string, string> {
  const store = openKeyStore(dataDir);
  try {
    return Object.fromEntries(names.map((name) => [name, store.create({ name, grants: [{ workspace: '*', role: 'admin' }] }).secret]));
  } finally {
    store.close();
  }
}

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

  it('forgets the least recently used bucket when full, never every bucket at once', () => {
    const limiter = new MemoryRateLimiter({ perSecond: 0.001, burst: 2 }, () => 0, 3);
    expect([1, 2, 3].map(() => limiter.takeNow('busy').allowed)).toEqual([true, true, false]);
    limiter.takeNow('b');
    limiter.takeNow('c');
    expect(limiter.takeNow('busy').allowed).toBe(false); // used again: now the most recent
    expect(limiter.takeNow('d').allowed).toBe(true); // a fourth bucket pushes out 'b', the least recently used
    expect(limiter.takeNow('busy').allowed).toBe(false); // a flood of new ids does not refill a spent bucket
    expect([1, 2, 3].map(() => limiter.takeNow('b').allowed)).toEqual([true, true, false]); // 'b' starts over
  });
});

describe('rate limits in one gateway', () => {
  let gw: ChildGateway;
  let dataDir: string;
  let keys: Record<string, string>;
  beforeAll(async () => {
    dataDir = tempDir();
    keys = createKeys(dataDir, ['a', 'b']);
    gw = await startChildGateway({ TRACKQL_DATA_DIR: dataDir, TRACKQL_LOG_LEVEL: 'notice', TRACKQL_RATE_LIMIT: '0.5', TRACKQL_RATE_LIMIT_BURST: '3' });
  });
  afterAll(async () => {
    await gw.dispose();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 429 RATE_LIMITED with retryAfter and Retry-After past the burst, per API key', async () => {
    const a = [];
    for (let i = 0; i < 4; i += 1) a.push(await ask(gw.url, keys.a));
    expect(a.slice(0, 3).map(limited)).toEqual([false, false, false]);
    expect(a[3]).toMatchObject({ status: 429, code: 'RATE_LIMITED', retryAfter: '2', extensions: { retryAfter: 2 } });
    // Another key has its own bucket.
    expect(await ask(gw.url, keys.b)).toMatchObject({ status: 200 });
    // Health and readiness are never limited.
    expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
  });

  it('puts callers without a valid key in one bucket per client address: made-up keys buy no fresh bucket', async () => {
    const answers = [await ask(gw.url)];
    for (let i = 0; i < 3; i += 1) answers.push(await ask(gw.url, `made-up-${i}-0123456789`));
    expect(answers.map((a) => a.status)).toEqual([401, 401, 401, 429]);
    expect(answers[3].code).toBe('RATE_LIMITED');
    // A real key still has its own bucket.
    expect(await ask(gw.url, keys.b)).toMatchObject({ status: 200 });
  });
});

describe('rate limits on the Comet backend', () => {
  it('trusts a Comet key as an identity once Comet has accepted it; refused keys share the address bucket', async () => {
    const sim = await startSim(['rl-ws']);
    const dataDir = tempDataDir();
    const gw = await startGateway(loadConfig({
      TRACKQL_PORT: '0', TRACKQL_DATA_DIR: dataDir, TRACKQL_BACKEND: 'comet', TRACKQL_COMET_URL: sim.url, TRACKQL_LIVE_POLL: 'off',
      TRACKQL_CACHE_TTL_SECONDS: '0', TRACKQL_RATE_LIMIT: '0.01', TRACKQL_RATE_LIMIT_BURST: '2',
    }), { logger: createLogger('silent') });
    try {
      // First use of the key: from the address bucket; Comet accepts it, and from then on it has its own.
      expect(await ask(gw.url, SIM_KEY)).toMatchObject({ status: 200 });
      expect((await ask(gw.url, 'refused-by-comet-0123456789')).code).toBe('UNAUTHENTICATED');
      expect((await ask(gw.url, 'also-refused-0123456789')).code).toBe('RATE_LIMITED');
      expect(await ask(gw.url, SIM_KEY)).toMatchObject({ status: 200 });
      expect(await ask(gw.url, SIM_KEY)).toMatchObject({ status: 200 });
      expect((await ask(gw.url, SIM_KEY)).code).toBe('RATE_LIMITED');
    } finally {
      await gw.stop();
      await sim.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describeWith('redis-server')('rate limits shared through Redis', () => {
  let redis: RedisServer;
  let a: ChildGateway;
  let b: ChildGateway;
  let dataDir: string;
  let keys: Record<string, string>;
  const WARM = ['warm1', 'warm2', 'warm3', 'warm4', 'warm5'];

  beforeAll(async () => {
    redis = await startRedis();
    // Replicas of the embedded store on one host share its data dir, and so its keys.
    dataDir = tempDir();
    keys = createKeys(dataDir, ['shared', 'again', ...WARM]);
    const env = { TRACKQL_DATA_DIR: dataDir, TRACKQL_LOG_LEVEL: 'notice', TRACKQL_REDIS_URL: redis.url, TRACKQL_RATE_LIMIT: '0.2', TRACKQL_RATE_LIMIT_BURST: '4' };
    a = await startChildGateway(env);
    b = await startChildGateway(env);
  }, 60_000);
  afterAll(async () => {
    await a?.dispose();
    await b?.dispose();
    await redis?.dispose();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('spends one bucket per key across replicas, and limits each replica alone while Redis is away', async () => {
    const key = keys.shared;
    let probe = 0;
    // Until both replicas reach Redis: a burst spent on A leaves nothing for B.
    await eventually(async () => {
      const name = WARM[probe++];
      if (name === undefined) throw new Error(`the replicas did not share Redis within ${WARM.length} tries`);
      const warm = keys[name];
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
    // Each replica says so once a rate check reaches Redis again; any request triggers a check.
    const back = (gw: ChildGateway) => gw.logs.some((line) => line.includes('rate limits shared through Redis again'));
    await eventually(async () => {
      for (const gw of [a, b]) if (!back(gw)) await ask(gw.url);
      return back(a) && back(b);
    }, 15_000, 'both replicas on Redis again');
    // Redis came back empty: a new key's bucket is spent across replicas again.
    const again = keys.again;
    const more: Answer[] = [];
    for (const url of [b.url, a.url, b.url, a.url, b.url]) more.push(await ask(url, again));
    expect(more.map(limited)).toEqual([false, false, false, false, true]);
  }, 60_000);
});
