/**
 * An answer that cannot be serialised is the server's failure, not the caller's: a Comet metric epoch past 32
 * bits, which GraphQL's `Int` cannot carry (steps are `SafeInt` and carry it), answers INTERNAL_SERVER_ERROR (never BAD_USER_INPUT), logged with
 * the request's trace id; the rest of the answer is served.
 */
import fs from 'node:fs';
import { loadConfig } from '../../../src/config';
import { startGateway, type Gateway } from '../../../src/server/app';
import { createLogger } from '../../../src/observability/logger';
import { SIM_KEY, startSim, tempDataDir } from '../../support/comet-backend';
import type { CometSim } from '../../support/comet-sim';

const WS = 'errors-ws';
const TRACE = '0af7651916cd43dd8448eb211c80319c';

describe('errors raised while executing', () => {
  let sim: CometSim;
  let gateway: Gateway;
  let dataDir: string;
  const lines: string[] = [];

  beforeAll(async () => {
    sim = await startSim([WS]);
    dataDir = tempDataDir();
    gateway = await startGateway(loadConfig({
      TRACKQL_PORT: '0', TRACKQL_DATA_DIR: dataDir, TRACKQL_BACKEND: 'comet', TRACKQL_COMET_URL: sim.url, TRACKQL_LIVE_POLL: 'off',
    }), { logger: createLogger('error', (line) => lines.push(line)) });
  });

  afterAll(async () => {
    await gateway?.stop();
    await sim?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers an output GraphQL cannot serialise with INTERNAL_SERVER_ERROR, logged with its trace id', async () => {
    const [key] = sim.seed({ experiments: [{ workspace: WS, project: 'p', name: 'long', metrics: [
      { metricName: 'loss', metricValue: 0.5, step: 1, epoch: 1 }, { metricName: 'loss', metricValue: 0.25, step: 2, epoch: 3_000_000_000 },
    ] }] }).experimentKeys;
    const res = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: SIM_KEY, traceparent: `00-${TRACE}-b7ad6b7169203331-01` },
      body: JSON.stringify({ query: 'query($k: String!) { experiment(key: $k) { name metric(name: "loss") { history { points { step epoch value } } } } }', variables: { k: key } }),
    });
    const body = (await res.json()) as { data: { experiment: { name: string; metric: unknown } }; errors: { message: string; path: unknown[]; extensions: unknown }[] };
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0]).toMatchObject({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(body.errors[0].path).toEqual(['experiment', 'metric', 'history', 'points', 1, 'epoch']);
    expect(body.data.experiment.name).toBe('long');
    const logged = lines.map((line) => JSON.parse(line) as { msg: string; traceId?: string; error?: { message: string } });
    expect(logged).toEqual([expect.objectContaining({ msg: 'internal error', traceId: TRACE, error: expect.objectContaining({ message: expect.stringContaining('Int cannot represent non 32-bit signed integer value') }) })]);
  });
});
