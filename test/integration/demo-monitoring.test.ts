/** The demo's monitoring data shows what it promises: a week of predictions, a drifting feature, late labels. */
import { rmSync } from 'node:fs';
import type { Backend, TimeBucket } from '../../src/backends/port';
import { createSqliteBackend } from '../../src/backends/sqlite';
import { seedDemo } from '../../src/demo';
import { ANONYMOUS } from '../../src/server/identity';
import { tempDir } from '../support/gateway';

const REF = { workspace: 'demo', modelName: 'cifar-classifier', version: '1.0.0' };
const DAY = 86_400_000;
const WEEK_START = Date.UTC(2026, 0, 19);

function slot<T>(slots: (T | Error)[]): T {
  if (slots[0] instanceof Error) throw slots[0];
  return slots[0];
}

describe('demo data: production monitoring', () => {
  let dir: string;
  let backend: Backend;
  beforeAll(async () => {
    dir = tempDir('trackql-demo-mpm-');
    backend = createSqliteBackend({ dataDir: dir });
    expect(await seedDemo(backend)).toBe(true);
  });
  afterAll(async () => {
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('holds a week of predictions, every day with traffic', async () => {
    const days = slot(await backend.monitoring.counts(ANONYMOUS, [{ ref: REF, from: WEEK_START, to: WEEK_START + 7 * DAY, interval: 'DAY' }]));
    expect(days).toHaveLength(7);
    expect(days.every((d) => d.count > 200)).toBe(true);
  });

  it('has a feature that drifts further each day and one that stays put', async () => {
    const drift = async (feature: string): Promise<TimeBucket[]> =>
      slot(await backend.monitoring.drift(ANONYMOUS, [{ ref: REF, feature, source: 'INPUT', interval: 'DAY', algorithm: 'PSI', reference: 'REFERENCE_DATA' }]));
    const brightness = (await drift('brightness')).map((b) => b.value);
    const contrast = (await drift('contrast')).map((b) => b.value);
    expect(brightness).toHaveLength(7);
    expect(brightness.every((value, day) => day === 0 || value > brightness[day - 1])).toBe(true);
    expect(brightness[6]).toBeGreaterThan(1);
    expect(Math.max(...contrast)).toBeLessThan(0.1);
  });

  it('has labels for the first five days only, and accuracy that falls as the drift grows', async () => {
    const accuracy = slot(await backend.monitoring.labelMetrics(ANONYMOUS, [{ ref: REF, metric: 'ACCURACY', output: 'value', label: 'value', interval: 'DAY' }]));
    expect(accuracy.map((b) => b.start)).toEqual([0, 1, 2, 3, 4].map((d) => WEEK_START + d * DAY));
    expect(accuracy[0].value).toBeGreaterThan(0.75);
    expect(accuracy[4].value).toBeLessThan(accuracy[0].value - 0.2);
  });
});
