/**
 * createExperiment on Comet, exactly once, whole or not at all, through the real GraphQL server and the Comet
 * simulator: a create whose answer is lost is found again by the retry, and a failure after the create
 * neither leaves the run without its tags and parameters nor makes a second run.
 */
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../../../src/config';
import { startGateway, type Gateway } from '../../../src/server/app';
import type { CometSim } from '../../support/comet-sim';
import { SIM_KEY, startSim, tempDataDir } from '../../support/comet-backend';
import { codes, gql } from '../../support/gateway';

const WS = 'once-ws';
const AUTH = { authorization: SIM_KEY };
const CREATE = `mutation($input: CreateExperimentInput!) { createExperiment(input: $input) { experiment { key name tags parameters { name value } } } }`;
const CREATE_ROUTE = /^POST write\/experiment\/create$/;

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await sleep(25);
  }
}

describe('comet backend: createExperiment exactly once', () => {
  let sim: CometSim;
  let g: Gateway;
  let dir: string;

  beforeEach(async () => {
    sim = await startSim([WS]);
    dir = tempDataDir();
    g = await startGateway(loadConfig({
      TRACKQL_PORT: '0', TRACKQL_DATA_DIR: dir, TRACKQL_LOG_LEVEL: 'silent', TRACKQL_BACKEND: 'comet',
      TRACKQL_COMET_URL: sim.url, TRACKQL_COMET_TIMEOUT_MS: '1000',
    }));
  });

  afterEach(async () => {
    await g.stop();
    await sim.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const runsIn = (project: string) => Object.values(sim.dump().experiments).filter((e) => e.projectName === project);

  it('finds the run of a create whose answer was lost, and finishes it instead of making a second', async () => {
    const input = { workspace: WS, project: 'lost', name: 'run', tags: ['a', 'b'], parameters: [{ name: 'lr', value: '0.1' }], idempotencyKey: 'lost-1' };
    sim.setFaults({ rate: 1, lostAnswer: true, routes: CREATE_ROUTE });
    expect(codes(await gql(g.url, CREATE, { input }, AUTH))).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(runsIn('lost')).toHaveLength(1); // Comet made it; the gateway never heard

    sim.setFaults({});
    const retry = await gql(g.url, CREATE, { input }, AUTH);
    expect(retry.errors).toBeUndefined();
    const [run] = runsIn('lost');
    expect(retry.data?.createExperiment.experiment).toEqual({ key: run.experimentKey, name: 'run', tags: ['a', 'b'], parameters: [{ name: 'lr', value: '0.1' }] });
    expect(runsIn('lost')).toHaveLength(1);
    expect(run.tags).toEqual(['a', 'b']);
    expect(run.parameters.map((p) => [p.name, p.value])).toEqual([['lr', '0.1']]);
    // A third try answers from the record.
    expect((await gql(g.url, CREATE, { input }, AUTH)).data).toEqual(retry.data);
    expect(runsIn('lost')).toHaveLength(1);
  });

  it('creates again when the lost attempt made nothing, and refuses when it cannot tell which run is its own', async () => {
    sim.setFaults({ rate: 1, timeout: true, routes: CREATE_ROUTE });
    const none = { workspace: WS, project: 'none', name: 'run', idempotencyKey: 'none-1' };
    expect(codes(await gql(g.url, CREATE, { input: none }, AUTH))).toEqual(['UPSTREAM_UNAVAILABLE']);
    sim.setFaults({});
    expect(runsIn('none')).toHaveLength(0);
    const made = await gql(g.url, CREATE, { input: none }, AUTH);
    expect(made.data?.createExperiment.experiment.key).toBe(runsIn('none')[0].experimentKey);

    sim.setFaults({ rate: 1, lostAnswer: true, routes: CREATE_ROUTE });
    const twin = { workspace: WS, project: 'twins', name: 'run', idempotencyKey: 'twin-1' };
    expect(codes(await gql(g.url, CREATE, { input: twin }, AUTH))).toEqual(['UPSTREAM_UNAVAILABLE']);
    sim.setFaults({});
    sim.seed({ experiments: [{ workspace: WS, project: 'twins', name: 'run' }] }); // another client's run, same name
    const refused = await gql(g.url, CREATE, { input: twin }, AUTH);
    expect(codes(refused)).toEqual(['BAD_USER_INPUT']);
    expect(refused.errors?.[0].extensions?.reason).toBe('IDEMPOTENCY_OUTCOME_UNKNOWN');
    expect(runsIn('twins')).toHaveLength(2);
    expect(codes(await gql(g.url, CREATE, { input: twin }, AUTH))).toEqual(['BAD_USER_INPUT']); // dead stays dead
    expect(runsIn('twins')).toHaveLength(2);
  });

  it('finishes the tags and parameters of a made run through the outbox when the calls after the create fail', async () => {
    const input = { workspace: WS, project: 'half', name: 'run', tags: ['x'], parameters: [{ name: 'depth', value: '4' }], idempotencyKey: 'half-1' };
    sim.setFaults({ rate: 1, status: 500, routes: /^POST (write\/experiment\/tags|clientlib\/batch\/logger\/experiment\/parameter)$/ });
    const first = await gql(g.url, CREATE, { input }, AUTH);
    expect(first.errors).toBeUndefined();
    const [run] = runsIn('half');
    expect(first.data?.createExperiment.experiment.key).toBe(run.experimentKey);
    expect(run.tags).toEqual([]); // not yet: queued
    expect(g.backend.pendingWrites?.()).toBeGreaterThan(0);

    expect((await gql(g.url, CREATE, { input }, AUTH)).data).toEqual(first.data);
    sim.setFaults({});
    await until(() => g.backend.pendingWrites?.() === 0, 10_000);
    const [done] = runsIn('half');
    expect(runsIn('half')).toHaveLength(1);
    expect(done.tags).toEqual(['x']);
    expect(done.parameters.map((p) => [p.name, p.value])).toEqual([['depth', '4']]);
  });

  it('answers the made run when Comet refuses one of its steps for good, and keeps that step as a dead letter', async () => {
    const input = { workspace: WS, project: 'refused', name: 'run', tags: ['x'], parameters: [{ name: 'depth', value: '4' }], idempotencyKey: 'refused-1' };
    sim.setFaults({ rate: 1, status: 403, routes: /^POST write\/experiment\/tags$/ });
    const made = await gql(g.url, CREATE, { input }, AUTH);
    expect(made.errors).toBeUndefined();
    const [run] = runsIn('refused');
    expect(made.data?.createExperiment.experiment.key).toBe(run.experimentKey);
    expect(run.parameters.map((p) => [p.name, p.value])).toEqual([['depth', '4']]);
    const letters = await gql(g.url, `{ deadLetters(first: 5) { nodes { experimentKey kind size } } }`, {}, AUTH);
    expect(letters.data).toEqual({ deadLetters: { nodes: [{ experimentKey: run.experimentKey, kind: 'tags', size: 1 }] } });
    sim.setFaults({});
    expect((await gql(g.url, CREATE, { input }, AUTH)).data).toEqual(made.data);
    expect(runsIn('refused')).toHaveLength(1);
  });
});
