/**
 * The start-up rule (real server): an embedded store without keys starts only on loopback, unless the
 * operator sets TRACKQL_ALLOW_OPEN=true; with a key it starts anywhere and needs the key.
 */
import { rmSync } from 'node:fs';
import { codes, gql, startChildGateway, tempDir, type ChildGateway } from '../support/gateway';
import { bearer, createKey, trackql } from '../support/keys';

let dataDir: string;
let gw: ChildGateway | null = null;
beforeEach(() => void (dataDir = tempDir('trackql-startup-')));
afterEach(async () => {
  await gw?.dispose();
  gw = null;
  rmSync(dataDir, { recursive: true, force: true });
});

/** The gateway bound to every interface, reached over loopback. */
const local = (url: string) => url.replace('0.0.0.0', '127.0.0.1');

describe('an open store bound beyond loopback', () => {
  it('refuses to start with exit code 78 and one clear line', () => {
    const result = trackql([], { TRACKQL_HOST: '0.0.0.0', TRACKQL_PORT: '0', TRACKQL_DATA_DIR: dataDir });
    expect(result.status).toBe(78);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^trackql: Refusing to start: TRACKQL_HOST=0\.0\.0\.0 is not a loopback address and the embedded store has no API key, .*TRACKQL_ALLOW_OPEN=true/);
    expect(result.stdout).not.toContain('"listening"');
  });

  it('starts with TRACKQL_ALLOW_OPEN=true, saying so in its log', async () => {
    gw = await startChildGateway({ TRACKQL_HOST: '0.0.0.0', TRACKQL_ALLOW_OPEN: 'true', TRACKQL_DATA_DIR: dataDir, TRACKQL_LOG_LEVEL: 'notice' });
    expect(gw.logs.some((l) => l.includes('without API keys beyond loopback'))).toBe(true);
    expect((await gql(local(gw.url), '{ workspaces { name } }')).status).toBe(200);
  });
});

describe('a store with a key bound beyond loopback', () => {
  it('starts without the flag, and needs the key', async () => {
    const key = createKey(dataDir, '*', 'read');
    gw = await startChildGateway({ TRACKQL_HOST: '0.0.0.0', TRACKQL_DATA_DIR: dataDir, TRACKQL_LOG_LEVEL: 'notice' });
    const anonymous = await gql(local(gw.url), '{ workspaces { name } }');
    expect([anonymous.status, codes(anonymous)]).toEqual([401, ['UNAUTHENTICATED']]);
    expect((await gql(local(gw.url), '{ workspaces { name } }', {}, bearer(key))).status).toBe(200);
  });
});
