/** Run details of a page of runs cost a fixed number of port calls, whatever the page size. */
import { rmSync } from 'node:fs';
import { createSqliteBackend } from '../../src/backends/sqlite';
import { loadConfig } from '../../src/config';
import { startGateway, type Gateway } from '../../src/server/app';
import { ANONYMOUS } from '../../src/server/identity';
import { countingBackend, type PortCall } from '../support/counting-backend';
import { gqlOk, tempDir } from '../support/gateway';

const PAGE = `query($first: Int!) { project(workspace: "ml", name: "runs") { notes columns { name } experiments(first: $first) { nodes {
  key code html systemDetails { hostname } git { commit patchUrl } curves { name } output(first: 5) { totalCount } } } } }`;

describe('run details: batching', () => {
  let gateway: Gateway;
  let dataDir: string;
  let calls: PortCall[];

  beforeAll(async () => {
    dataDir = tempDir();
    const sqlite = createSqliteBackend({ dataDir });
    for (let i = 0; i < 100; i += 1) {
      const { key } = await sqlite.experiments.create(ANONYMOUS, { workspace: 'ml', project: 'runs', name: `run-${i}` });
      await sqlite.details.update(ANONYMOUS, { experimentKey: key, code: `print(${i})`, html: '<p/>', git: { commit: `c${i}` }, systemDetails: { hostname: `h${i}` } });
      await sqlite.details.appendOutput(ANONYMOUS, key, [{ text: 'hi', stream: 'STDOUT' }]);
      await sqlite.details.logCurve(ANONYMOUS, { experimentKey: key, name: 'roc', x: [0, 1], y: [0, 1] });
    }
    const counted = countingBackend(sqlite);
    calls = counted.calls;
    gateway = await startGateway(loadConfig({ TRACKQL_PORT: '0', TRACKQL_DATA_DIR: dataDir, TRACKQL_LOG_LEVEL: 'silent' }), { backend: counted.backend });
  });
  afterAll(async () => {
    await gateway.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function callsFor(first: number): Promise<string[]> {
    calls.length = 0;
    const data = await gqlOk(gateway.url, PAGE, { first });
    expect(data.project.experiments.nodes).toHaveLength(first);
    expect(data.project.experiments.nodes.every((n: { code: string; output: { totalCount: number } }) => n.code.startsWith('print(') && n.output.totalCount === 1)).toBe(true);
    return calls.map((c) => c.method).sort();
  }

  it('makes the same port calls for 10 and for 100 runs: one per kind of detail', async () => {
    const small = await callsFor(10);
    const large = await callsFor(100);
    expect(large).toEqual(small);
    expect(large).toEqual([
      'assets.list', 'details.curves', 'details.get', 'details.output', 'details.projectColumns', 'details.projectNotes', 'experiments.list', 'projects.get',
    ]);
  });
});
