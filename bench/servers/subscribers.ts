/**
 * The subscribers of the live benchmark, in a process of their own (forked with IPC): `count` `metricLogged`
 * subscriptions, `perConnection` to a graphql-ws socket, each watching one of `metrics` metrics, as dashboard
 * panels do. Every point received is timed on the machine's absolute clock (`timeOrigin + now()`), which the
 * writer's process shares, so latency from the writer's send needs no clamping and no guessing.
 *
 * Messages: in `{ url, key, count, perConnection, metrics }`; out `ready` once every subscription has seen a
 * priming point (step 0); in `{ stop: sent }` (each step's send time, from the writer); out `{ received,
 * fromSend }`: how many points arrived and their latency summary (with 10,000 subscribers the raw receipts
 * would be millions of numbers to carry over IPC).
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { summarize } from '../lib/stats';

interface Job {
  url: string;
  key: string;
  count: number;
  perConnection: number;
  metrics: number;
}

const SUBSCRIPTION = `subscription($k: String!, $names: [String!]) { metricLogged(experimentKey: $k, names: $names) { name points { step } } }`;
const now = () => performance.timeOrigin + performance.now();

/** Sockets opened at once: a storm of thousands would outlast graphql-ws's connection-init timeout (4408). */
const CONNECT_BATCH = 50;

process.once('message', (job: Job) => void subscribeAll(job));

async function subscribeAll(job: Job): Promise<void> {
  const clients: Client[] = [];
  const receipts: [number, number][] = [];
  let primed = 0;
  const connections = Math.ceil(job.count / job.perConnection);
  for (let c = 0; c < connections; c += CONNECT_BATCH) {
    const batch: Promise<void>[] = [];
    for (let i = c; i < Math.min(connections, c + CONNECT_BATCH); i += 1) {
      batch.push(new Promise((connected) => {
        clients.push(createClient({ url: `${job.url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, lazy: false, on: { connected: () => connected() } }));
      }));
    }
    await Promise.all(batch);
  }
  for (let i = 0; i < job.count; i += 1) {
    let first = true;
    clients[Math.floor(i / job.perConnection)].subscribe<{ metricLogged: { points: { step: number }[] } }>(
      { query: SUBSCRIPTION, variables: { k: job.key, names: [`m${i % job.metrics}`] } },
      {
        next: (result) => {
          const at = now();
          for (const p of result.data?.metricLogged.points ?? []) {
            if (p.step > 0) receipts.push([p.step, at]);
            else if (first) {
              first = false;
              primed += 1;
              if (primed === job.count) process.send?.('ready');
            }
          }
        },
        error: (error) => {
          process.stderr.write(`subscription failed: ${error instanceof Error ? error.message : JSON.stringify(error)}\n`);
          process.exit(1);
        },
        complete: () => undefined,
      },
    );
  }
  process.on('message', (message: { stop?: [number, number][] }) => {
    if (!message.stop) return;
    const sent = new Map(message.stop);
    const fromSend = receipts.map(([step, at]) => at - (sent.get(step) ?? Number.NaN));
    process.send?.({ received: receipts.length, fromSend: summarize(fromSend) }, () => {
      void Promise.all(clients.map((c) => c.dispose())).finally(() => process.exit(0));
    });
  });
}
