/**
 * Live feed: graphql-ws subscribers laid out as dashboards open them (several subscriptions per socket), one
 * writer logging 100 points/s across 10 metrics. Latency runs from the writer's send to each subscriber's
 * receipt on the machine's absolute clock, never clamped. The subscribers run in a process of their own, the
 * writer in the benchmark's, each gateway in its own: the same layout in memory (one replica) and with Redis
 * (writer on replica A, subscribers on B). The writer's own latency is measured beside, and once with no
 * subscriber at all.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { gqlOk, startChildGateway, tempDir, type ChildGateway } from '../test/support/gateway';
import { startRedis } from '../test/support/live';
import { formatSpread, spreadOf, type Spread } from './lib/repeat';
import { round, summarize } from './lib/stats';
import type { BenchContext, BenchResult, Benchmark, Figure } from './lib/types';

const METRICS = 10;
const TICK_MS = 100; // one mutation of 10 points (one per metric) every 100 ms: 100 points/s
const PER_CONNECTION = 10;
const now = () => performance.timeOrigin + performance.now();

interface Delivery {
  /** Latency of each delivered point, from the writer's send, ms. */
  fromSend: number[];
  /** The writer's logMetrics latency, from send to its HTTP answer, ms. */
  writer: number[];
  received: number;
  expected: number;
}

function startSubscribers(): ChildProcess {
  return fork(path.join(__dirname, 'servers', 'subscribers.js'), [], { env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production' }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

function nextMessage<T>(child: ChildProcess): Promise<T> {
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m as T));
    child.once('exit', (code) => reject(new Error(`the subscribers' process exited ${code}`)));
  });
}

async function run(writer: ChildGateway, reader: ChildGateway, subscribers: number, seconds: number, ctx: BenchContext, label: string): Promise<Delivery> {
  const key = (await gqlOk(writer.url, `mutation { createExperiment(input: {workspace: "bench", project: "live"}) { experiment { key } } }`)).createExperiment.experiment.key as string;
  const log = (step: number) => gqlOk(writer.url, `mutation($input: LogMetricsInput!) { logMetrics(input: $input) { accepted } }`, {
    input: { experimentKey: key, points: Array.from({ length: METRICS }, (_, m) => ({ name: `m${m}`, value: Math.random(), step })) },
  });
  const child = subscribers > 0 ? startSubscribers() : null;
  try {
    if (child) {
      const ready = nextMessage<string>(child);
      child.send({ url: reader.url, key, count: subscribers, perConnection: PER_CONNECTION, metrics: METRICS });
      // Prime every subscription with step 0 until all are live, so set-up time is not counted as latency.
      let live = false;
      void ready.then(() => (live = true));
      while (!live) {
        await log(0);
        await new Promise((r) => setTimeout(r, 200));
      }
      await ready;
    }
    const sent = new Map<number, number>();
    const writerMs: number[] = [];
    const pending: Promise<unknown>[] = [];
    const ticks = Math.round((seconds * 1000) / TICK_MS);
    const start = performance.now();
    for (let step = 1; step <= ticks; step += 1) {
      const wait = start + step * TICK_MS - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const at = now();
      sent.set(step, at);
      pending.push(log(step).then(() => writerMs.push(now() - at)));
      ctx.progress(step / ticks, `${label}: ${step}/${ticks} writes`);
    }
    await Promise.all(pending);
    await new Promise((r) => setTimeout(r, 2000)); // let the last deliveries land
    let receipts: [number, number][] = [];
    if (child) {
      const done = nextMessage<{ receipts: [number, number][] }>(child);
      child.send('stop');
      receipts = (await done).receipts;
    }
    const fromSend = receipts.map(([step, at]) => at - (sent.get(step) as number));
    return { fromSend, writer: writerMs, received: receipts.length, expected: ticks * subscribers };
  } finally {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  }
}

interface Layout {
  name: string;
  label: string;
  subscribers: number;
  start(): Promise<{ writer: ChildGateway; reader: ChildGateway; stop(): Promise<void> }>;
}

export const liveBenchmark: Benchmark = {
  name: 'live',
  title: 'Live feed',
  async run(ctx): Promise<BenchResult> {
    const subscribers = ctx.quick ? 100 : 1000;
    const seconds = ctx.quick ? 3 : 20;
    const repetitions = 3;
    const oneReplica = async () => {
      const gw = await startChildGateway({ TRACKQL_LOG_LEVEL: 'notice' });
      return { writer: gw, reader: gw, stop: () => gw.dispose() };
    };
    const layouts: Layout[] = [
      { name: 'alone', label: 'writer alone, no subscriber (in memory)', subscribers: 0, start: oneReplica },
      { name: 'memory', label: 'in-memory pub/sub, one replica', subscribers, start: oneReplica },
      {
        name: 'redis', label: 'Redis pub/sub, writer on replica A, subscribers on B', subscribers,
        async start() {
          const redis = await startRedis();
          const dataDir = tempDir('trackql-bench-live-');
          const a = await startChildGateway({ TRACKQL_LOG_LEVEL: 'notice', TRACKQL_REDIS_URL: redis.url, TRACKQL_DATA_DIR: dataDir });
          const b = await startChildGateway({ TRACKQL_LOG_LEVEL: 'notice', TRACKQL_REDIS_URL: redis.url, TRACKQL_DATA_DIR: dataDir });
          return { writer: a, reader: b, async stop() { await a.stop(); await b.dispose(); await redis.dispose(); } };
        },
      },
    ];
    const runs: Record<string, Delivery[]> = Object.fromEntries(layouts.map((l) => [l.name, []]));
    // Interleaved: each repetition runs every layout once, on fresh gateways.
    for (let r = 0; r < repetitions; r += 1) {
      for (const layout of layouts) {
        const gateways = await layout.start();
        try {
          runs[layout.name].push(await run(gateways.writer, gateways.reader, layout.subscribers, seconds, ctx, `${layout.label} (run ${r + 1}/${repetitions})`));
        } finally {
          await gateways.stop();
        }
      }
    }
    const p = (values: number[], q: 'p50' | 'p99') => summarize(values)[q];
    const spreads = (name: string, pick: (d: Delivery) => number): Spread => spreadOf(runs[name].map(pick));
    const rows: Figure[] = layouts.map((l) => ({
      label: l.label,
      values: {
        'points delivered': runs[l.name].reduce((n, d) => n + d.received, 0),
        'of expected': runs[l.name].reduce((n, d) => n + d.expected, 0),
        'p50 ms from send': l.subscribers ? formatSpread(spreads(l.name, (d) => p(d.fromSend, 'p50')), 1) : '–',
        'p99 ms from send': l.subscribers ? formatSpread(spreads(l.name, (d) => p(d.fromSend, 'p99')), 1) : '–',
        'writer p50 ms': formatSpread(spreads(l.name, (d) => p(d.writer, 'p50')), 1),
        'writer p99 ms': formatSpread(spreads(l.name, (d) => p(d.writer, 'p99')), 1),
      },
    }));
    const mem99 = spreads('memory', (d) => p(d.fromSend, 'p99')).median;
    const redis99 = spreads('redis', (d) => p(d.fromSend, 'p99')).median;
    const writerWith = spreads('memory', (d) => p(d.writer, 'p99')).median;
    const writerAlone = spreads('alone', (d) => p(d.writer, 'p99')).median;
    const delivered = ['memory', 'redis'].every((n) => runs[n].every((d) => d.received === d.expected));
    return {
      name: 'live',
      title: 'Live feed',
      repetitions,
      setup: `${subscribers.toLocaleString('en-US')} graphql-ws subscriptions, ${PER_CONNECTION} per socket (as a dashboard opens them), each watching one of ${METRICS} metrics; one writer logs ${METRICS} points every ${TICK_MS} ms (${(1000 / TICK_MS) * METRICS} points/s) for ${seconds} s through \`logMetrics\`. The subscribers run in a process of their own, the writer in the benchmark's, each gateway in its own, in memory and with Redis alike. Latency runs from the writer's send to each subscriber's receipt on the machine's absolute clock, never clamped. ${repetitions} interleaved runs per layout on fresh gateways; each cell is the median of the runs' percentiles, with their range. All processes share the machine's 2 cores.`,
      tables: [{ title: 'Delivery and writer latency (median, range of runs)', columns: ['points delivered', 'of expected', 'p50 ms from send', 'p99 ms from send', 'writer p50 ms', 'writer p99 ms'], rows }],
      raw: { runs: Object.fromEntries(layouts.map((l) => [l.name, runs[l.name].map((d) => ({ received: d.received, expected: d.expected, fromSend: summarize(d.fromSend), writer: summarize(d.writer) }))])) },
      goals: [
        { goal: 'every point delivered to every subscriber', met: delivered, measured: delivered ? 'all' : 'some missing (see the table)' },
        { goal: 'p99 from send < 50 ms in memory', met: mem99 < 50, measured: `${round(mem99)} ms` },
        { goal: 'Redis p99 ≤ 1.5× in memory, same layout', met: redis99 <= 1.5 * mem99, measured: `${round(redis99)} ms vs ${round(mem99)} ms (${round(redis99 / mem99, 2)}×)` },
        { goal: 'writer p99 with subscribers on its replica ≤ 1.5× with none', met: writerWith <= 1.5 * writerAlone, measured: `${round(writerWith)} ms vs ${round(writerAlone)} ms (${round(writerWith / writerAlone, 2)}×)` },
      ],
    };
  },
};
