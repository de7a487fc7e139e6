/**
 * Enhanced keys name their own Comet server (`baseUrl`); with TRACKQL_COMET_URL unset the gateway honours
 * that only for origins in TRACKQL_COMET_ALLOWED_ORIGINS, never connects to a loopback, link-local or
 * private address unless it is listed literally (also when a listed name resolves to one), and keeps the
 * cache of each server apart.
 */
import fs from 'node:fs';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { loadConfig } from '../../../src/config';
import { startGateway, type Gateway } from '../../../src/server/app';
import { createLogger } from '../../../src/observability/logger';
import { SIM_KEY, startSim, tempDataDir } from '../../support/comet-backend';
import type { CometSim } from '../../support/comet-sim';
import { gql } from '../../support/gateway';
import { eventually } from '../../support/live';

const WORKSPACES = '{ workspaces { name } }';

/** An enhanced key as Comet's SDKs build it: `<short>*<base64 JSON with baseUrl>`. */
function enhancedKey(shortKey: string, baseUrl: string): string {
  return `${shortKey}*${Buffer.from(JSON.stringify({ baseUrl })).toString('base64')}`;
}

/** A TCP listener that counts connections: proof that nothing was attempted. */
async function trap(): Promise<{ port: number; connections: () => number; close(): Promise<void> }> {
  let count = 0;
  const server: Server = createServer((socket) => {
    count += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => count,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('comet: origins an enhanced key may name', () => {
  let simA: CometSim;
  let simB: CometSim;
  let gateway: Gateway | null = null;
  let dataDir: string;

  beforeEach(async () => {
    simA = await startSim(['ws-a']);
    simB = await startSim(['ws-b']);
    dataDir = tempDataDir();
  });

  afterEach(async () => {
    await gateway?.stop();
    gateway = null;
    await simA.stop();
    await simB.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function start(allowed?: string): Promise<Gateway> {
    gateway = await startGateway(loadConfig({
      TRACKQL_PORT: '0', TRACKQL_DATA_DIR: dataDir, TRACKQL_BACKEND: 'comet', TRACKQL_LIVE_POLL: 'off',
      TRACKQL_COMET_TIMEOUT_MS: '1500', ...(allowed !== undefined && { TRACKQL_COMET_ALLOWED_ORIGINS: allowed }),
    }), { logger: createLogger('silent') });
    return gateway;
  }

  it('refuses keys naming loopback, cloud metadata or private addresses with FORBIDDEN, before any connection', async () => {
    const listener = await trap();
    try {
      const g = await start();
      for (const baseUrl of [`http://127.0.0.1:${listener.port}`, 'http://169.254.169.254', 'http://10.0.0.1:8080', `http://localhost:${listener.port}`]) {
        const res = await gql(g.url, WORKSPACES, {}, { authorization: enhancedKey(SIM_KEY, baseUrl) });
        expect(res.data).toBeNull();
        expect(res.errors).toHaveLength(1);
        expect(res.errors?.[0].extensions?.code).toBe('FORBIDDEN');
        expect(res.errors?.[0].message).toContain('TRACKQL_COMET_ALLOWED_ORIGINS');
        expect(res.errors?.[0].message).toContain(new URL(baseUrl).origin);
      }
      expect(listener.connections()).toBe(0);
    } finally {
      await listener.close();
    }
  });

  it('refuses an unlisted origin by default, and serves a listed loopback origin (the simulator)', async () => {
    let g = await start();
    const key = enhancedKey(SIM_KEY, simA.url);
    expect((await gql(g.url, WORKSPACES, {}, { authorization: key })).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(simA.totalRequests()).toBe(0);
    await g.stop();
    g = await start(`https://www.comet.com,${simA.url}`);
    const res = await gql(g.url, WORKSPACES, {}, { authorization: key });
    expect(res).toEqual({ status: 200, data: { workspaces: [{ name: 'ws-a' }] } });
  });

  it('refuses a listed host name that resolves to a loopback address when the request is made', async () => {
    const { port } = new URL(simA.url);
    const named = `http://${os.hostname()}:${port}`; // /etc/hosts maps the machine's name to a local address
    const g = await start(named);
    const res = await gql(g.url, WORKSPACES, {}, { authorization: enhancedKey(SIM_KEY, named) });
    expect(res.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(res.errors?.[0].message).toContain('resolves to a loopback, link-local or private address');
    expect(res.errors?.[0].message).toContain('TRACKQL_COMET_ALLOWED_ORIGINS');
    expect(simA.totalRequests()).toBe(0);
  });

  it('keeps the cached answers of two servers apart for the same short key', async () => {
    const g = await start(`${simA.url},${simB.url}`);
    const a = await gql(g.url, WORKSPACES, {}, { authorization: enhancedKey(SIM_KEY, simA.url) });
    const b = await gql(g.url, WORKSPACES, {}, { authorization: enhancedKey(SIM_KEY, simB.url) });
    expect(a.data).toEqual({ workspaces: [{ name: 'ws-a' }] });
    expect(b.data).toEqual({ workspaces: [{ name: 'ws-b' }] });
    expect(simB.totalRequests()).toBe(1);
  });

  it('delivers a write queued for an enhanced key to the server that key named', async () => {
    const g = await start(simA.url);
    const key = enhancedKey(SIM_KEY, simA.url);
    const [experimentKey] = simA.seed({ experiments: [{ workspace: 'ws-a', project: 'p' }] }).experimentKeys;
    simA.setDown(true);
    const logged = await gql(g.url, 'mutation($k: String!) { logMetrics(input: {experimentKey: $k, points: [{name: "loss", value: 0.5, step: 1}]}) { status } }',
      { k: experimentKey }, { authorization: key });
    expect(logged.data).toEqual({ logMetrics: { status: 'QUEUED' } });
    simA.setDown(false);
    await eventually(() => g.backend.pendingWrites?.() === 0, 15_000, 'the outbox to drain');
    expect(simA.dump().experiments[experimentKey].metrics.map((m) => [m.metricName, m.metricValue])).toEqual([['loss', '0.5']]); // Comet keeps values as strings
  });
});
