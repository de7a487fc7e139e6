/**
 * Live feed: many graphql-ws subscribers on one replica, one writer logging 100 points/s across 10 metrics;
 * delivery latency from the mutation's acknowledgement (and from its sending) to receipt, with in-memory
 * pub/sub on one replica and with Redis between two replicas (writer on A, subscribers on B).
 */
import type { Client } from 'graphql-ws';
import { gqlOk, startChildGateway, tempDir, type ChildGateway } from '../test/support/gateway';
import { liveClient, startRedis, type LiveClient } from '../test/support/live';
import { round, summarize } from './lib/stats';
import type { BenchContext, BenchResult, Benchmark, Figure } from './lib/types';

const METRICS = 10;
const TICK_MS = 100; // one mutation of 10 points (one per metric) every 100 ms: 100 points/s
const SUBSCRIPTION = `subscription($k: String!, $names: [String!]) { metricLogged(experimentKey: $k, names: $names) { name points { step } } }`;

interface Delivery {
  fromAck: number[];
  fromSend: number[];
  received: number;
  expected: number;
}

async function subscribeAll(url: string, key: string, count: number, onEvent: (step: number, at: number) => void): Promise<LiveClient[]> {
  const clients: LiveClient[] = [];
  const ready: Promise<void>[] = [];
  for (let i = 0; i < count; i += 1) {
    const live = liveClient(url, { lazy: false });
    clients.push(live);
    ready.push(new Promise<void>((resolve, reject) => {
      const client: Client = live.client;
      let first = true;
      client.subscribe<{ metricLogged: { points: { step: number }[] } }>(
        { query: SUBSCRIPTION, variables: { k: key, names: [`m${i % METRICS}`] } },
        {
          next: (result) => {
            const at = performance.now();
            for (const p of result.data?.metricLogged.points ?? []) if (p.step >= 0) onEvent(p.step, at);
            if (first) {
              first = false;
              resolve();
            }
          },
          error: reject,
          complete: () => undefined,
        },
      );
    }));
  }
  // A warm-up point at step -1 is impossible (steps are >= 0): instead each subscriber is "ready" once it
  // receives the priming event below.
  return Object.assign(clients, { ready });
}

async function run(writer: ChildGateway, reader: ChildGateway, subscribers: number, seconds: number, ctx: BenchContext, label: string): Promise<Delivery> {
  const key = (await gqlOk(writer.url, `mutation { createExperiment(input: {workspace: "bench", project: "live"}) { experiment { key } } }`)).createExperiment.experiment.key as string;
  const sent = new Map<number, number>();
  const acked = new Map<number, number>();
  const fromAck: number[] = [];
  const fromSend: number[] = [];
  let received = 0;
  const primeStep = 0;
  const clients = (await subscribeAll(reader.url, key, subscribers, (step, at) => {
    if (step === primeStep) return;
    received += 1;
    const s = sent.get(step);
    const a = acked.get(step);
    if (s !== undefined) fromSend.push(at - s);
    // An event can arrive before the HTTP answer of its mutation: that counts as 0 ms after the acknowledgement.
    fromAck.push(a === undefined ? 0 : Math.max(0, at - a));
  })) as LiveClient[] & { ready: Promise<void>[] };
  const log = (step: number) => gqlOk(writer.url, `mutation($input: LogMetricsInput!) { logMetrics(input: $input) { accepted } }`, {
    input: { experimentKey: key, points: Array.from({ length: METRICS }, (_, m) => ({ name: `m${m}`, value: Math.random(), step })) },
  });
  try {
    // Prime every subscription (step 0) until all are live, so set-up time is not counted as latency.
    const primed = Promise.all(clients.ready);
    while (await Promise.race([primed.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 200))]) === false) await log(primeStep);
    const ticks = Math.round((seconds * 1000) / TICK_MS);
    const start = performance.now();
    for (let step = 1; step <= ticks; step += 1) {
      const due = start + step * TICK_MS;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      sent.set(step, performance.now());
      void log(step).then(() => acked.set(step, performance.now()));
      ctx.progress(step / ticks, `${label}: ${step}/${ticks} writes, ${received.toLocaleString('en-US')} points delivered`);
    }
    await new Promise((r) => setTimeout(r, 2000)); // let the last deliveries land
    return { fromAck, fromSend, received, expected: ticks * subscribers };
  } finally {
    await Promise.all(clients.map((c) => c.dispose()));
  }
}

export const liveBenchmark: Benchmark = {
  name: 'live',
  title: 'Live feed',
  async run(ctx): Promise<BenchResult> {
    const subscribers = ctx.quick ? 100 : 1000;
    const seconds = ctx.quick ? 5 : 20;
    const results: Record<string, Delivery> = {};
    const memory = await startChildGateway({ TRACKQL_LOG_LEVEL: 'notice' });
    try {
      results.memory = await run(memory, memory, subscribers, seconds, ctx, 'in-memory, one replica');
    } finally {
      await memory.dispose();
    }
    const redis = await startRedis();
    const dataDir = tempDir('trackql-bench-live-');
    const a = await startChildGateway({ TRACKQL_LOG_LEVEL: 'notice', TRACKQL_REDIS_URL: redis.url, TRACKQL_DATA_DIR: dataDir });
    const b = await startChildGateway({ TRACKQL_LOG_LEVEL: 'notice', TRACKQL_REDIS_URL: redis.url, TRACKQL_DATA_DIR: dataDir });
    try {
      results.redis = await run(a, b, subscribers, seconds, ctx, 'Redis, writer on A, subscribers on B');
    } finally {
      await a.stop();
      await b.dispose();
      await redis.dispose();
    }
    const labels: Record<string, string> = { memory: 'in-memory pub/sub, one replica', redis: 'Redis pub/sub, two replicas' };
    const rows: Figure[] = Object.entries(labels).map(([k, label]) => {
      const r = results[k];
      const ack = summarize(r.fromAck);
      const send = summarize(r.fromSend);
      return { label, values: { 'points delivered': r.received, 'of expected': r.expected, 'p50 ms from ack': round(ack.p50), 'p99 ms from ack': round(ack.p99), 'p50 ms from send': round(send.p50), 'p99 ms from send': round(send.p99) } };
    });
    const mem99 = summarize(results.memory.fromAck).p99;
    // In memory, events usually reach subscribers before the writer has its HTTP answer (0 ms from the
    // acknowledgement), so the Redis ratio is taken on latency from sending, where both are positive.
    const memSend99 = summarize(results.memory.fromSend).p99;
    const redisSend99 = summarize(results.redis.fromSend).p99;
    return {
      name: 'live',
      // One measured run (its percentiles come from many samples within it).
      repetitions: 1,
      title: 'Live feed',
      setup: `${subscribers.toLocaleString('en-US')} graphql-ws subscribers (each watching one of ${METRICS} metrics, as a dashboard panel does) on one replica; one writer logs ${METRICS} points every ${TICK_MS} ms (${(1000 / TICK_MS) * METRICS} points/s) for ${seconds} s through \`logMetrics\`. Latency runs from the writer's acknowledgement (an event that arrives before the HTTP answer counts as 0) and from the moment the mutation was sent, to receipt by each subscriber. Subscribers, writer and gateways share the machine's 2 cores.`,
      tables: [{ title: 'Delivery latency', columns: ['points delivered', 'of expected', 'p50 ms from ack', 'p99 ms from ack', 'p50 ms from send', 'p99 ms from send'], rows }],
      goals: [
        { goal: 'p99 < 50 ms in memory', met: mem99 < 50, measured: `${round(mem99)} ms` },
        { goal: 'Redis p99 ≤ 2× in-memory (from sending)', met: redisSend99 <= 2 * memSend99, measured: `${round(redisSend99)} ms vs ${round(memSend99)} ms (${round(redisSend99 / memSend99, 2)}×)` },
      ],
    };
  },
};
