/** Contract: filters by exact name, duration and end time, and ordering by duration. */
import type { ExperimentFilter, ExperimentOrder } from '../../../src/backends/port';
import { CALLER, WORKSPACE, newExperiment, uniqueProject, type GetBackend } from './support';

const T0 = Date.UTC(2024, 5, 1);

export function describeRunFilters(backend: GetBackend): void {
  describe('filters by name, duration and end time', () => {
    async function fixture() {
      const project = uniqueProject();
      const short = await newExperiment(backend(), project, { name: 'alpha', startedAt: T0 });
      await backend().experiments.end(CALLER, { experimentKey: short.key, status: 'FINISHED', endedAt: T0 + 1_000 });
      const long = await newExperiment(backend(), project, { name: 'alpha-2', startedAt: T0 });
      await backend().experiments.end(CALLER, { experimentKey: long.key, status: 'FINISHED', endedAt: T0 + 5_000 });
      // Still running since ten minutes ago: its duration is measured to now.
      const running = await newExperiment(backend(), project, { name: 'ALPHA', startedAt: Date.now() - 600_000 });
      const list = async (filter: ExperimentFilter | null, orderBy: ExperimentOrder[] = [{ field: 'KEY', direction: 'ASC' }]) =>
        (await backend().experiments.list(CALLER, { project: { workspace: WORKSPACE, name: project }, filter, orderBy, page: { first: 10 } })).items.map((e) => e.key);
      return { short: short.key, long: long.key, running: running.key, list };
    }

    it('matches a name exactly, case and all', async () => {
      const f = await fixture();
      expect(await f.list({ name: 'alpha' })).toEqual([f.short]);
      expect(await f.list({ not: { name: 'alpha' } })).toEqual([f.short, f.long, f.running].filter((k) => k !== f.short).sort());
    });

    it('compares durations, a running run measured to now', async () => {
      const f = await fixture();
      expect(await f.list({ durationMs: { op: 'GT', value: 2_000 } })).toEqual([f.long, f.running].sort());
      expect(await f.list({ durationMs: { op: 'LTE', value: 1_000 } })).toEqual([f.short]);
      expect(await f.list({ durationMs: { op: 'GT', value: 120_000 } })).toEqual([f.running]);
    });

    it('bounds the end time exclusively; a run without an end matches neither bound', async () => {
      const f = await fixture();
      expect(await f.list({ endedAfter: T0 + 1_000 })).toEqual([f.long]);
      expect(await f.list({ endedAfter: T0 + 999, endedBefore: T0 + 5_000 })).toEqual([f.short]);
      expect(await f.list({ not: { endedBefore: T0 + 10_000 } })).toEqual([]);
    });

    it('orders by duration, in both directions', async () => {
      const f = await fixture();
      expect(await f.list(null, [{ field: 'DURATION', direction: 'ASC' }])).toEqual([f.short, f.long, f.running]);
      expect(await f.list(null, [{ field: 'DURATION', direction: 'DESC' }])).toEqual([f.running, f.long, f.short]);
    });
  });
}
