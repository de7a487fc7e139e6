/**
 * Steps past 32 bits (token counts) go in and come out exactly, on both backends, in both input forms; a
 * Comet point logged without a step is reported with a null step, never as step 0.
 */
import fs from 'node:fs';
import { loadConfig } from '../../src/config';
import { startGateway, type Gateway } from '../../src/server/app';
import type { CometSim } from '../support/comet-sim';
import { SIM_KEY, startSim, tempDataDir } from '../support/comet-backend';
import { codes, gql, gqlOk } from '../support/gateway';

const MAX = Number.MAX_SAFE_INTEGER; // 2^53 − 1
const TOKENS = 2 ** 40 + 7;

const CREATE = `mutation($input: CreateExperimentInput!) { createExperiment(input: $input) { experiment { key } } }`;
const LOG = `mutation($input: LogMetricsInput!) { logMetrics(input: $input) { accepted status } }`;
const READ = `query($key: String!, $name: String!, $after: SafeInt, $before: SafeInt) { experiment(key: $key) { metric(name: $name) {
  lastStep minStep maxStep history(afterStep: $after, beforeStep: $before) { totalCount points { step value } } } } }`;

interface Read {
  experiment: { metric: { lastStep: number | null; minStep: number | null; maxStep: number | null;
    history: { totalCount: number; points: { step: number | null; value: number }[] } } | null };
}

async function create(url: string, workspace: string, headers: Record<string, string> = {}): Promise<string> {
  const data = await gqlOk(url, CREATE, { input: { workspace, project: 'llm', name: 'pretrain' } }, headers);
  return data.createExperiment.experiment.key as string;
}

describe('steps beyond 32 bits on the embedded store', () => {
  let gateway: Gateway;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = tempDataDir('trackql-steps-');
    gateway = await startGateway(loadConfig({ TRACKQL_PORT: '0', TRACKQL_DATA_DIR: dataDir, TRACKQL_LOG_LEVEL: 'silent' }));
  });
  afterAll(async () => {
    await gateway.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('stores and returns steps up to 2^53 − 1 from points and from series', async () => {
    const key = await create(gateway.url, 'steps');
    const logged = await gqlOk(gateway.url, LOG, { input: {
      experimentKey: key,
      points: [{ name: 'loss', value: 3, step: 2 ** 31 }, { name: 'loss', value: 1, step: MAX }],
      series: [{ name: 'loss', steps: [TOKENS, 2 ** 32 + 1], values: [0.5, 2] }],
    } });
    expect(logged.logMetrics).toEqual({ accepted: 4, status: 'ACCEPTED' });

    const all = await gqlOk<Read>(gateway.url, READ, { key, name: 'loss' });
    expect(all.experiment.metric).toEqual({
      lastStep: MAX, minStep: TOKENS, maxStep: 2 ** 31,
      history: { totalCount: 4, points: [
        { step: 2 ** 31, value: 3 }, { step: 2 ** 32 + 1, value: 2 }, { step: TOKENS, value: 0.5 }, { step: MAX, value: 1 },
      ] },
    });
    // Bounds past 32 bits, exclusive on both sides.
    const range = await gqlOk<Read>(gateway.url, READ, { key, name: 'loss', after: 2 ** 32 + 1, before: MAX });
    expect(range.experiment.metric?.history).toEqual({ totalCount: 1, points: [{ step: TOKENS, value: 0.5 }] });
  });

  it('refuses a step of 2^53 as bad input and stores nothing', async () => {
    const key = await create(gateway.url, 'steps');
    for (const input of [
      { experimentKey: key, points: [{ name: 'loss', value: 1, step: 1 }, { name: 'loss', value: 1, step: 2 ** 53 }] },
      { experimentKey: key, series: [{ name: 'loss', steps: [1, 2 ** 53], values: [1, 1] }] },
    ]) {
      const res = await gql(gateway.url, LOG, { input });
      expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    }
    const read = await gqlOk<Read>(gateway.url, READ, { key, name: 'loss' });
    expect(read.experiment.metric).toBeNull();
  });
});

describe('steps on the Comet backend', () => {
  const WS = 'steps-ws';
  let sim: CometSim;
  let gateway: Gateway;
  let dataDir: string;
  const auth = { authorization: SIM_KEY };

  beforeAll(async () => {
    sim = await startSim([WS]);
    dataDir = tempDataDir('trackql-steps-comet-');
    gateway = await startGateway(loadConfig({
      TRACKQL_PORT: '0', TRACKQL_DATA_DIR: dataDir, TRACKQL_LOG_LEVEL: 'silent', TRACKQL_BACKEND: 'comet', TRACKQL_COMET_URL: sim.url,
    }));
  });
  afterAll(async () => {
    await gateway.stop();
    await sim.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('passes steps past 32 bits to Comet and reads them back exactly', async () => {
    const key = await create(gateway.url, WS, auth);
    const logged = await gqlOk(gateway.url, LOG, { input: {
      experimentKey: key, points: [{ name: 'tokens', value: 1, step: TOKENS }], series: [{ name: 'tokens', steps: [MAX], values: [2] }],
    } }, auth);
    expect(logged.logMetrics).toEqual({ accepted: 2, status: 'ACCEPTED' });
    expect(sim.dump().experiments[key].metrics.map((p) => p.step).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual([TOKENS, MAX]);

    const read = await gqlOk<Read>(gateway.url, READ, { key, name: 'tokens', after: 2 ** 32 }, auth);
    expect(read.experiment.metric).toEqual({
      lastStep: MAX, minStep: TOKENS, maxStep: MAX,
      history: { totalCount: 2, points: [{ step: TOKENS, value: 1 }, { step: MAX, value: 2 }] },
    });
  });

  it('reports a point logged without a step as a null step, outside any step range', async () => {
    const [key] = sim.seed({ experiments: [{
      workspace: WS, project: 'llm', name: 'sdk-run',
      metrics: [
        { metricName: 'lr', metricValue: 0.1, timestamp: 1_700_000_000_000 },
        { metricName: 'lr', metricValue: 0.2, step: 5, timestamp: 1_700_000_000_001 },
      ],
    }] }).experimentKeys;

    const all = await gqlOk<Read>(gateway.url, READ, { key, name: 'lr' }, auth);
    expect(all.experiment.metric?.history).toEqual({ totalCount: 2, points: [{ step: null, value: 0.1 }, { step: 5, value: 0.2 }] });
    const bounded = await gqlOk<Read>(gateway.url, READ, { key, name: 'lr', before: 100 }, auth);
    expect(bounded.experiment.metric?.history).toEqual({ totalCount: 1, points: [{ step: 5, value: 0.2 }] });
  });
});
