/**
 * DataLoader batching: a page of experiments with nested fields costs a fixed number of port calls,
 * whatever the page size. The port is wrapped to count the calls that reach it.
 */
import { rmSync } from 'node:fs';
import { createSqliteBackend } from '../../src/backends/sqlite';
import { loadConfig } from '../../src/config';
import { startGateway, type Gateway } from '../../src/server/app';
import { ANONYMOUS } from '../../src/server/identity';
import { countingBackend, type PortCall } from '../support/counting-backend';
import { gqlOk, tempDir } from '../support/gateway';

const DASHBOARD = `query($first: Int!) { project(workspace: "ml", name: "big") { experiments(first: $first) { nodes {
  key name tags parameters { name value } metrics { name last } project { name } parent { key } } } } }`;

describe('batching', () => {
  let gateway: Gateway;
  let dataDir: string;
  let calls: PortCall[];

  beforeAll(async () => {
    dataDir = tempDir();
    const sqlite = await createSqliteBackend({ dataDir });
    for (let i = 0; i < 200; i += 1) {
      const e = await sqlite.experiments.create(ANONYMOUS, {
        workspace: 'ml', project: 'big', name: `run-${i}`, tags: ['a', `t${i % 7}`],
        parameters: [{ name: 'lr', value: String(i / 1000) }, { name: 'bs', value: '32' }],
        parentKey: null,
      });
      await sqlite.metrics.log(ANONYMOUS, e.key, [{ name: 'loss', value: 1 / (i + 1), step: 0 }, { name: 'acc', value: i / 200, step: 0 }]);
    }
    const counted = countingBackend(sqlite);
    calls = counted.calls;
    gateway = await startGateway(loadConfig({ TRACKQL_PORT: '0', TRACKQL_DATA_DIR: dataDir, TRACKQL_LOG_LEVEL: 'silent' }), { backend: counted.backend });
  });
  afterAll(async () => {
    await gateway.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function portCallsFor(first: number): Promise<string[]> {
    calls.length = 0;
    const data = await gqlOk(gateway.url, DASHBOARD, { first });
    expect(data.project.experiments.nodes).toHaveLength(first);
    const n = data.project.experiments.nodes[first - 1];
    expect(n.tags.length).toBe(2);
    expect(n.metrics.map((m: { name: string }) => m.name)).toEqual(['acc', 'loss']);
    expect(n.project).toEqual({ name: 'big' });
    return calls.map((c) => c.method).sort();
  }

  it('makes the same fixed set of port calls for 10 and for 200 experiments', async () => {
    const small = await portCallsFor(10);
    const large = await portCallsFor(200);
    expect(large).toEqual(small);
    expect(large).toEqual(['attributes.parameters', 'attributes.tags', 'experiments.list', 'metrics.summaries', 'projects.get']);
  });
});
