/**
 * Live feed: graphql-ws subscribers laid out as dashboards open them (ten subscriptions per socket) and one per
 * socket, 1,000 and 10,000 of them, one writer logging 100 points/s across 10 metrics. Latency runs from the writer's send to each subscriber's
 * receipt on the machine's absolute clock, never clamped. The subscribers run in a process of their own, the
 * writer in the benchmark's, each gateway in its own: the same layout in memory (one replica) and with Redis
 * (writer on replica A, subscribers on B). The writer's own latency is measured beside, and once with no
 * subscriber at all. The subscribers' gateway's CPU time over the run, divided by the points delivered, is
 * its CPU per delivered event.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { gqlOk, startChildGateway, tempDir, type ChildGateway } from '../test/support/gateway';
import { startRedis } from '../test/support/live';
import { formatSpread, spreadOf, type Spread } from './lib/repeat';
import { cpuMs } from './lib/rss';
import { round, summarize, type Summary } from './lib/stats';
import type { BenchContext, BenchResult, Benchmark, Figure } from './lib/types';

const METRICS = 10;
const TICK_MS = 100; // one mutation of 10 points (one per metric) every 100 ms: 100 points/s
const now = () => performance.timeOrigin + performance.now();

interface Delivery {
  /** Latency of the delivered points, from the writer's send, ms (summarised by the subscribers' process). */
  fromSend: Summary | null;
  /** The writer's logMetrics latency, from send to its HTTP answer, ms. */
  writer: Summary;
  received: number;
  expected: number;
  /** CPU time the subscribers' gateway used over the timed writes, ms. */
  cpuMs: number;
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

interface Shape {
  subscribers: number;
  perConnection: number;
  seconds: number;
}

async function run(writer: ChildGateway, reader: ChildGateway, shape: Shape, ctx: BenchContext, label: string): Promise<Delivery> {
  const key = (await gqlOk(writer.url, `mutation { createExperiment(input: {workspace: "bench", project: "live"}) { experiment { key } } }`)).createExperiment.experiment.key as string;
  const log = (step: number) => gqlOk(writer.url, `mutation($input: LogMetricsInput!) { logMetrics(input: $input) { accepted } }`, {
    input: { experimentKey: key, points: Array.from({ length: METRICS }, (_, m) => ({ name: `m${m}`, value: Math.random(), step })) },
  });
  const child = shape.subscribers > 0 ? startSubscribers() : null;
  try {
    if (child) {
      const ready = nextMessage<string>(child);
      child.send({ url: reader.url, key, count: shape.subscribers, perConnection: shape.perConnection, metrics: METRICS });
      // Prime every subscription with step 0 until all are live, so set-up time is not counted as latency.
      let live = false;
      void ready.then(() => (live = true));
      while (!live) {
        await log(0);
        await new Promise((r) => setTimeout(r, 200));
      }
      await ready;
      await new Promise((r) => setTimeout(r, 500)); // the last priming points land before the clock starts
    }
    const sent = new Map<number, number>();
    const writerMs: number[] = [];
    const pending: Promise<unknown>[] = [];
    const ticks = Math.round((shape.seconds * 1000) / TICK_MS);
    const cpuBefore = cpuMs(reader.process.pid as number);
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
    const cpu = cpuMs(reader.process.pid as number) - cpuBefore;
    if (!child) return { fromSend: null, writer: summarize(writerMs), received: 0, expected: 0, cpuMs: cpu };
    const done = nextMessage<{ received: number; fromSend: Summary }>(child);
    child.send({ stop: [...sent] });
    const { received, fromSend } = await done;
    return { fromSend, writer: summarize(writerMs), received, expected: ticks * shape.subscribers, cpuMs: cpu };
  } finally {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  }
}

interface Layout extends Shape {
  name: string;
  label: string;
  start(): Promise<{ writer: ChildGateway; reader: ChildGateway; stop(): Promise<void> }>;
}

export const liveBenchmark: Benchmark = {
  name: 'live',
  title: 'Live feed',
  async run(ctx): Promise<BenchResult> {
    const base = ctx.quick ? 100 : 1000;
    const large = ctx.quick ? 1000 : 10_000;
    const seconds = ctx.quick ? 3 : 15;
    const repetitions = 3;
    const oneReplica = async () => {
      const gw = await startChildGateway({ TRACKQL_LOG_LEVEL: 'notice' });
      return { writer: gw, reader: gw, stop: () => gw.dispose() };
    };
    const n = (v: number) => v.toLocaleString('en-US');
    const layouts: Layout[] = [
      { name: 'alone', label: 'writer alone, no subscriber (in memory)', subscribers: 0, perConnection: 1, seconds, start: oneReplica },
      { name: 'memory', label: `in memory, ${n(base)} subscribers, 10 per socket`, subscribers: base, perConnection: 10, seconds, start: oneReplica },
      { name: 'memory1', label: `in memory, ${n(base)} subscribers, 1 per socket`, subscribers: base, perConnection: 1, seconds, start: oneReplica },
      {
        name: 'redis', label: `Redis, writer on replica A, ${n(base)} subscribers on B, 10 per socket`, subscribers: base, perConnection: 10, seconds,
        async start() {
          const redis = await startRedis();
          const dataDir = tempDir('trackql-bench-live-');
          const a = await startChildGateway({ TRACKQL_LOG_LEVEL: 'notice', TRACKQL_REDIS_URL: redis.url, TRACKQL_DATA_DIR: dataDir });
          const b = await startChildGateway({ TRACKQL_LOG_LEVEL: 'notice', TRACKQL_REDIS_URL: redis.url, TRACKQL_DATA_DIR: dataDir });
          return { writer: a, reader: b, async stop() { await a.stop(); await b.dispose(); await redis.dispose(); } };
        },
      },
      { name: 'large', label: `in memory, ${n(large)} subscribers, 10 per socket`, subscribers: large, perConnection: 10, seconds, start: oneReplica },
    ];
    const runs: Record<string, Delivery[]> = Object.fromEntries(layouts.map((l) => [l.name, []]));
    // Interleaved: each repetition runs every layout once, on fresh gateways.
    for (let r = 0; r < repetitions; r += 1) {
      for (const layout of layouts) {
        const gateways = await layout.start();
        try {
          runs[layout.name].push(await run(gateways.writer, gateways.reader, layout, ctx, `${layout.label} (run ${r + 1}/${repetitions})`));
        } finally {
          await gateways.stop();
        }
      }
    }
    const spreads = (name: string, pick: (d: Delivery) => number): Spread => spreadOf(runs[name].map(pick));
    // In memory the subscribers' gateway also serves the writes: their cost is the writer-alone run's CPU,
    // taken off before dividing by the points delivered. Replica B of the Redis layout serves no write.
    const writesCpu = spreads('alone', (d) => d.cpuMs).median;
    const cpuPerEvent = (name: string): Spread => spreads(name, (d) => (d.received > 0 ? ((d.cpuMs - (name === 'redis' ? 0 : writesCpu)) * 1000) / d.received : Number.NaN));
    const latency = (name: string, q: 'p50' | 'p99') => spreads(name, (d) => d.fromSend?.[q] ?? Number.NaN);
    const rows: Figure[] = layouts.map((l) => ({
      label: l.label,
      values: {
        'points delivered': runs[l.name].reduce((sum, d) => sum + d.received, 0),
        'of expected': runs[l.name].reduce((sum, d) => sum + d.expected, 0),
        'p50 ms from send': l.subscribers ? formatSpread(latency(l.name, 'p50'), 1) : '–',
        'p99 ms from send': l.subscribers ? formatSpread(latency(l.name, 'p99'), 1) : '–',
        'writer p50 ms': formatSpread(spreads(l.name, (d) => d.writer.p50), 1),
        'writer p99 ms': formatSpread(spreads(l.name, (d) => d.writer.p99), 1),
        'gateway CPU µs per event': l.subscribers ? formatSpread(cpuPerEvent(l.name), 1) : '–',
      },
    }));
    const mem99 = latency('memory', 'p99').median;
    const redis99 = latency('redis', 'p99').median;
    const large99 = latency('large', 'p99').median;
    const writerWith = spreads('memory', (d) => d.writer.p99).median;
    const writerAlone = spreads('alone', (d) => d.writer.p99).median;
    const cpu = cpuPerEvent('memory').median;
    const delivered = (names: string[]) => names.every((name) => runs[name].every((d) => d.received === d.expected));
    return {
      name: 'live',
      title: 'Live feed',
      repetitions,
      setup: `graphql-ws \`metricLogged\` subscriptions, ten per socket as a dashboard opens them (and one per socket for comparison), each watching one of ${METRICS} metrics; one writer logs ${METRICS} points every ${TICK_MS} ms (${(1000 / TICK_MS) * METRICS} points/s) for ${seconds} s through \`logMetrics\`. The subscribers run in a process of their own, the writer in the benchmark's, each gateway in its own, in memory and with Redis alike. Latency runs from the writer's send to each subscriber's receipt on the machine's absolute clock, never clamped. CPU per event is the subscribers' gateway's user and system time over the timed writes, less the writer-alone run's (the same gateway serves the writes in memory), divided by the points it delivered; on replica B of the Redis layout nothing is taken off. /proc counts CPU in 10 ms ticks. ${repetitions} interleaved runs per layout on fresh gateways; each cell is the median of the runs' figures, with their range. All processes share the machine's cores.`,
      tables: [{ title: 'Delivery, writer latency and gateway CPU (median, range of runs)', columns: ['points delivered', 'of expected', 'p50 ms from send', 'p99 ms from send', 'writer p50 ms', 'writer p99 ms', 'gateway CPU µs per event'], rows }],
      raw: { runs: Object.fromEntries(layouts.map((l) => [l.name, runs[l.name]])) },
      goals: [
        { goal: `every point delivered to every subscriber (${n(base)} subscribers)`, met: delivered(['memory', 'memory1', 'redis']), measured: delivered(['memory', 'memory1', 'redis']) ? 'all' : 'some missing (see the table)' },
        { goal: `${n(base)} subscribers: p99 from send < 50 ms in memory`, met: mem99 < 50, measured: `${round(mem99)} ms` },
        { goal: 'Redis p99 ≤ 1.5× in memory, same layout', met: redis99 <= 1.5 * mem99, measured: `${round(redis99)} ms vs ${round(mem99)} ms (${round(redis99 / mem99, 2)}×)` },
        { goal: `${n(large)} subscribers on one replica: every point delivered, p99 < 250 ms`, met: delivered(['large']) && large99 < 250, measured: `${delivered(['large']) ? 'all delivered' : 'some missing'}, p99 ${round(large99)} ms` },
        { goal: 'writer p99 with subscribers on its replica ≤ 1.5× with none', met: writerWith <= 1.5 * writerAlone, measured: `${round(writerWith)} ms vs ${round(writerAlone)} ms (${round(writerWith / writerAlone, 2)}×)` },
        { goal: 'gateway CPU per delivered event ≤ 10 µs', met: cpu <= 10, measured: `${round(cpu, 1)} µs` },
      ],
      notes: [
        'Each event is executed once per distinct subscription (document, variables, key and host) and serialised once; every socket gets the same bytes with only its subscription id changed, and the frames of one event-loop turn go out in one write. A write answers its client before its events are fanned out.',
        `In memory the subscribers' gateway also serves the writes; their CPU is taken off the CPU per event (see the setup). With ${n(large)} subscribers the subscribers' own process (graphql-ws clients parsing every message) shares the same cores with the gateway and the writer.`,
      ],
    };
  },
};
