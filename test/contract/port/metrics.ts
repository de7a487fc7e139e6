/** Contract: logging metrics and their summaries (atomic batches, NaN/Infinity, ordering rules). */
import { BASE_TIME, CALLER, expectCode, newExperiment, uniqueProject, type GetBackend } from './support';

export function describeMetricWrites(backend: GetBackend): void {
  describe('metric writes and summaries', () => {
    it('keeps a summary per metric: last, min, max, count and their steps, ordered by name', async () => {
      const { key } = await newExperiment(backend(), uniqueProject());
      await backend().metrics.log(CALLER, key, [
        { name: 'loss', step: 0, value: 3, timestamp: BASE_TIME },
        { name: 'loss', step: 1, value: 1, timestamp: BASE_TIME + 1 },
        { name: 'loss', step: 2, value: 2, timestamp: BASE_TIME + 2 },
        { name: 'acc', step: 0, value: 0.5, timestamp: BASE_TIME },
      ]);
      await backend().metrics.log(CALLER, key, [{ name: 'loss', step: 3, value: 5, timestamp: BASE_TIME + 3 }]);
      const [summaries] = await backend().metrics.summaries(CALLER, [key]);
      const counted = backend().capabilities().metrics.pointCounts;
      expect(summaries).toEqual([
        expect.objectContaining({ experimentKey: key, name: 'acc', last: 0.5, count: counted ? 1 : null }),
        {
          experimentKey: key,
          name: 'loss',
          context: null,
          last: 5,
          min: 1,
          max: 5,
          count: counted ? 4 : null,
          lastStep: 3,
          minStep: 1,
          maxStep: 3,
          lastTimestamp: BASE_TIME + 3,
        },
      ]);
    });

    it('answers summaries in key order, with [] for missing keys and only the named metrics when asked', async () => {
      const project = uniqueProject();
      const a = await newExperiment(backend(), project);
      const b = await newExperiment(backend(), project);
      await backend().metrics.log(CALLER, a.key, [{ name: 'x', step: 0, value: 1 }, { name: 'y', step: 0, value: 2 }]);
      await backend().metrics.log(CALLER, b.key, [{ name: 'x', step: 0, value: 3 }]);
      const result = await backend().metrics.summaries(CALLER, [b.key, 'e'.repeat(32), a.key, b.key], ['x']);
      expect(result.map((list) => (list as { name: string; last: number }[]).map((s) => [s.name, s.last]))).toEqual([
        [['x', 3]],
        [],
        [['x', 1]],
        [['x', 3]],
      ]);
    });

    it('takes last from the highest (step, timestamp, insertion order), whatever the arrival order', async () => {
      const { key } = await newExperiment(backend(), uniqueProject());
      await backend().metrics.log(CALLER, key, [
        { name: 'm', step: 5, value: 50, timestamp: BASE_TIME + 10 },
        { name: 'm', step: 9, value: 90, timestamp: BASE_TIME },
        { name: 'm', step: 9, value: 91, timestamp: BASE_TIME },
      ]);
      await backend().metrics.log(CALLER, key, [{ name: 'm', step: 7, value: 70, timestamp: BASE_TIME + 99 }]);
      const [[summary]] = (await backend().metrics.summaries(CALLER, [key])) as { last: number; lastStep: number }[][];
      expect(summary).toMatchObject({ last: 91, lastStep: 9 });
    });

    it('round-trips NaN and ±Infinity; min and max ignore NaN', async () => {
      const { key } = await newExperiment(backend(), uniqueProject());
      await backend().metrics.log(CALLER, key, [
        { name: 'v', step: 0, value: Number.NaN, timestamp: BASE_TIME },
        { name: 'v', step: 1, value: Infinity, timestamp: BASE_TIME + 1 },
        { name: 'v', step: 2, value: -Infinity, timestamp: BASE_TIME + 2 },
        { name: 'v', step: 3, value: 4, timestamp: BASE_TIME + 3 },
        { name: 'v', step: 4, value: Number.NaN, timestamp: BASE_TIME + 4 },
      ]);
      const [[summary]] = await backend().metrics.summaries(CALLER, [key]) as { last: number; min: number; max: number; minStep: number; maxStep: number }[][];
      expect(summary.last).toBeNaN();
      expect(summary).toMatchObject({ min: -Infinity, minStep: 2, max: Infinity, maxStep: 1 });
      const [history] = await backend().metrics.histories(CALLER, [{ experimentKey: key, name: 'v' }]);
      const values = (history as { points: { value: number }[] }).points.map((point) => point.value);
      expect(values).toEqual([Number.NaN, Infinity, -Infinity, 4, Number.NaN]);
      expect(Number.isNaN(values[0]) && Number.isNaN(values[4])).toBe(true);
    });

    it('reports NaN for min and max when every value is NaN', async () => {
      const { key } = await newExperiment(backend(), uniqueProject());
      await backend().metrics.log(CALLER, key, [
        { name: 'n', step: 0, value: Number.NaN },
        { name: 'n', step: 1, value: Number.NaN },
      ]);
      const [[summary]] = await backend().metrics.summaries(CALLER, [key]) as { last: number; min: number; max: number }[][];
      expect(summary.min).toBeNaN();
      expect(summary.max).toBeNaN();
      expect(summary.last).toBeNaN();
    });

    it('stores nothing from a batch holding one invalid point', async () => {
      const { key } = await newExperiment(backend(), uniqueProject());
      await expectCode(
        backend().metrics.log(CALLER, key, [
          { name: 'loss', step: 0, value: 1 },
          { name: 'acc', step: 0, value: 1 },
          { name: 'loss', step: 1.5, value: 2 },
        ]),
        'BAD_USER_INPUT',
      );
      await expectCode(
        backend().metrics.log(CALLER, key, [{ name: 'loss', step: 0, value: 1 }, { name: '', step: 1, value: 1 }]),
        'BAD_USER_INPUT',
      );
      expect(await backend().metrics.summaries(CALLER, [key])).toEqual([[]]);
    });

    it('rejects a batch for an unknown experiment with NOT_FOUND and stores nothing', async () => {
      const unknown = 'c'.repeat(32);
      await expectCode(backend().metrics.log(CALLER, unknown, [{ name: 'loss', step: 0, value: 1 }]), 'NOT_FOUND');
      expect(await backend().metrics.summaries(CALLER, [unknown])).toEqual([[]]);
    });

    it('accepts a large batch whole', async () => {
      const { key } = await newExperiment(backend(), uniqueProject());
      const points = Array.from({ length: 5_000 }, (_, step) => ({ name: 'big', step, value: step % 17, timestamp: BASE_TIME + step }));
      expect(await backend().metrics.log(CALLER, key, points)).toMatch(/^(ACCEPTED|QUEUED)$/);
      const [[summary]] = await backend().metrics.summaries(CALLER, [key]) as { lastStep: number; max: number; min: number }[][];
      expect(summary).toMatchObject({ lastStep: 4_999, max: 16, min: 0 });
    });
  });
}
