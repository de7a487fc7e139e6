/** A backend without monitoring (UnsupportedMonitoring, NO_MONITORING) under the monitoring contract: every call refused alike. */
import { rmSync } from 'node:fs';
import { NO_MONITORING, type Backend, type Capabilities } from '../../src/backends/port';
import { UnsupportedMonitoring } from '../../src/backends/shared/no-monitoring';
import { SQLITE_CAPABILITIES, createSqliteBackend } from '../../src/backends/sqlite';
import { describeMonitoring } from '../contract/port/monitoring';
import { tempDir } from '../support/gateway';

const CAPABILITIES: Capabilities = { ...SQLITE_CAPABILITIES, monitoring: NO_MONITORING };

describe('a backend without monitoring', () => {
  let backend: Backend | null = null;
  let dir = '';
  beforeEach(() => {
    dir = tempDir('trackql-no-mpm-');
    const inner = createSqliteBackend({ dataDir: dir });
    // The embedded store for everything else, its monitoring domain swapped for the refusing one.
    backend = Object.assign(Object.create(inner) as Backend, { monitoring: new UnsupportedMonitoring('test'), capabilities: () => CAPABILITIES, close: () => inner.close() });
  });
  afterEach(async () => {
    await backend?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describeMonitoring(() => backend as Backend, CAPABILITIES);
});
