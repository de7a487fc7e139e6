/**
 * Dead letters, through the real GraphQL server: a queued write Comet later refuses for good is kept with its
 * reason, counted in /metrics, listed to its own API key only, replayed once or discarded; the outbox is
 * bounded per API key. On the embedded store there are none, and the schema says so.
 */
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../../../src/config';
import { startGateway, type Gateway } from '../../../src/server/app';
import type { CometSim } from '../../support/comet-sim';
import { SIM_KEY, startSim, tempDataDir } from '../../support/comet-backend';
import { codes, gql } from '../../support/gateway';

const WS = 'dead-ws';
const OTHER_KEY = 'comet-other-key-0123456789';
const AUTH = { authorization: SIM_KEY };
const METRIC_ROUTE = /^POST clientlib\/batch\/logger\/experiment\/metric$/;
const LOG = `mutation($input: LogMetricsInput!) { logMetrics(input: $input) { accepted status } }`;
const LIST = `{ deadLetters(first: 10) { totalCount nodes { id experimentKey kind size reason } } }`;
const REPLAY = `mutation($input: DeadLetterInput!) { replayDeadLetter(input: $input) { id status } }`;
const DISCARD = `mutation($input: DeadLetterInput!) { discardDeadLetter(input: $input) { discardedId } }`;

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await sleep(50);
  }
}

describe('comet backend: dead letters', () => {
  let sim: CometSim;
  let g: Gateway;
  const dirs: string[] = [];

  beforeEach(async () => {
    sim = await startSim([WS], [{ apiKey: OTHER_KEY, workspaces: [WS] }]);
  });

  afterEach(async () => {
    await g.stop();
    await sim.stop();
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function gateway(extra: Record<string, string> = {}): Promise<Gateway> {
    const dir = tempDataDir();
    dirs.push(dir);
    g = await startGateway(loadConfig({
      TRACKQL_PORT: '0', TRACKQL_DATA_DIR: dir, TRACKQL_LOG_LEVEL: 'silent', TRACKQL_BACKEND: 'comet',
      TRACKQL_COMET_URL: sim.url, TRACKQL_COMET_TIMEOUT_MS: '500', ...extra,
    }));
    return g;
  }

  const steps = (key: string) => sim.dump().experiments[key].metrics.map((m) => m.step);
  const deadGauge = async () => Number(/^trackql_outbox_dead_writes (\d+)$/m.exec(await (await fetch(`${g.url}/metrics`)).text())?.[1]);

  it('keeps a queued write Comet refuses for good, lists it to its own key only, and replays it once or discards it', async () => {
    const { experimentKeys: [key] } = sim.seed({ experiments: [{ workspace: WS, project: 'p', name: 'e' }] });
    await gateway();
    sim.setFaults({ rate: 1, status: 503, routes: METRIC_ROUTE }); // Comet is away: both writes queue
    for (const step of [0, 1]) {
      const queued = await gql(g.url, LOG, { input: { experimentKey: key, points: [{ name: 'loss', value: step, step }] } }, AUTH);
      expect(queued.data).toEqual({ logMetrics: { accepted: 1, status: 'QUEUED' } });
    }
    sim.setFaults({ rate: 1, status: 402, routes: METRIC_ROUTE }); // back, and refusing them for good
    await until(async () => (await deadGauge()) === 2, 15_000);
    expect(g.backend.pendingWrites?.()).toBe(0);

    const mine = await gql(g.url, LIST, {}, AUTH);
    expect(mine.data?.deadLetters.totalCount).toBe(2);
    const [first, second] = mine.data?.deadLetters.nodes as { id: string; reason: string }[];
    expect(first).toMatchObject({ experimentKey: key, kind: 'metric', size: 1, reason: expect.stringContaining('paid plan') });
    // Another API key sees none of them, and cannot touch them: they are missing to it, not forbidden.
    expect((await gql(g.url, LIST, {}, { authorization: OTHER_KEY })).data).toEqual({ deadLetters: { totalCount: 0, nodes: [] } });
    expect(codes(await gql(g.url, REPLAY, { input: { id: first.id } }, { authorization: OTHER_KEY }))).toEqual(['NOT_FOUND']);
    expect(codes(await gql(g.url, DISCARD, { input: { id: first.id } }, { authorization: OTHER_KEY }))).toEqual(['NOT_FOUND']);

    sim.setFaults({});
    const replayed = await gql(g.url, REPLAY, { input: { id: first.id, idempotencyKey: 'replay-1' } }, AUTH);
    expect(replayed.data).toEqual({ replayDeadLetter: { id: first.id, status: 'ACCEPTED' } });
    expect(await gql(g.url, REPLAY, { input: { id: first.id, idempotencyKey: 'replay-1' } }, AUTH)).toEqual(replayed);
    expect(codes(await gql(g.url, REPLAY, { input: { id: first.id } }, AUTH))).toEqual(['NOT_FOUND']);
    expect(steps(key)).toEqual([0]);

    expect((await gql(g.url, DISCARD, { input: { id: second.id } }, AUTH)).data).toEqual({ discardDeadLetter: { discardedId: second.id } });
    expect((await gql(g.url, LIST, {}, AUTH)).data).toEqual({ deadLetters: { totalCount: 0, nodes: [] } });
    expect(await deadGauge()).toBe(0);
    expect(steps(key)).toEqual([0]);
  });

  it('keeps a replay Comet refuses again as a dead letter, under a new id', async () => {
    const { experimentKeys: [key] } = sim.seed({ experiments: [{ workspace: WS, project: 'p', name: 'e' }] });
    await gateway();
    sim.setFaults({ rate: 1, status: 503, routes: METRIC_ROUTE });
    await gql(g.url, LOG, { input: { experimentKey: key, points: [{ name: 'loss', value: 1, step: 5 }] } }, AUTH);
    sim.setFaults({ rate: 1, status: 402, routes: METRIC_ROUTE });
    await until(async () => (await deadGauge()) === 1, 15_000);
    const [letter] = (await gql(g.url, LIST, {}, AUTH)).data?.deadLetters.nodes as { id: string }[];
    expect(codes(await gql(g.url, REPLAY, { input: { id: letter.id } }, AUTH))).toEqual(['FORBIDDEN']);
    const [again] = (await gql(g.url, LIST, {}, AUTH)).data?.deadLetters.nodes as { id: string }[];
    expect(again.id).not.toBe(letter.id);
    expect(await deadGauge()).toBe(1);
  });

  it('refuses a write that would queue past the key\'s share of the outbox with RATE_LIMITED and retryAfter', async () => {
    const { experimentKeys: [key] } = sim.seed({ experiments: [{ workspace: WS, project: 'p', name: 'e' }] });
    await gateway({ TRACKQL_OUTBOX_MAX_PER_KEY: '2' });
    sim.setDown(true);
    const log = (step: number, auth: Record<string, string>) => gql(g.url, LOG, { input: { experimentKey: key, points: [{ name: 'loss', value: step, step }] } }, auth);
    expect((await log(0, AUTH)).data).toEqual({ logMetrics: { accepted: 1, status: 'QUEUED' } });
    expect((await log(1, AUTH)).data).toEqual({ logMetrics: { accepted: 1, status: 'QUEUED' } });
    const full = await log(2, AUTH);
    expect(codes(full)).toEqual(['RATE_LIMITED']);
    expect(full.errors?.[0].extensions?.retryAfter).toEqual(expect.any(Number));
    // Each key has its own share.
    expect((await log(3, { authorization: OTHER_KEY })).data).toEqual({ logMetrics: { accepted: 1, status: 'QUEUED' } });
    expect(g.backend.pendingWrites?.()).toBe(3);
  });
});

describe('sqlite backend: no dead letters', () => {
  it('says it keeps none, lists none, and finds none to replay or discard', async () => {
    const dir = tempDataDir('trackql-sqlite-');
    const g = await startGateway(loadConfig({ TRACKQL_PORT: '0', TRACKQL_DATA_DIR: dir, TRACKQL_LOG_LEVEL: 'silent' }));
    try {
      await gql(g.url, `mutation { createProject(input: { workspace: "w", name: "p" }) { project { name } } }`);
      expect((await gql(g.url, `{ workspace(name: "w") { capabilities { deadLetters { kept } } } }`)).data)
        .toEqual({ workspace: { capabilities: { deadLetters: { kept: false } } } });
      expect((await gql(g.url, LIST)).data).toEqual({ deadLetters: { totalCount: 0, nodes: [] } });
      expect(codes(await gql(g.url, REPLAY, { input: { id: '1' } }))).toEqual(['NOT_FOUND']);
      expect(codes(await gql(g.url, DISCARD, { input: { id: '1' } }))).toEqual(['NOT_FOUND']);
    } finally {
      await g.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
