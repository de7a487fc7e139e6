/** Contract: metric histories, raw paging by cursor and downsampling. */
import type { MetricHistory, MetricHistoryRequest } from '../../../src/backends/port';
import { BASE_TIME, CALLER, newExperiment, series, uniqueProject, type GetBackend } from './support';

export function describeMetricHistories(backend: GetBackend): void {
  async function history(request: MetricHistoryRequest): Promise<MetricHistory> {
    const [result] = await backend().metrics.histories(CALLER, [request]);
    if (result instanceof Error) throw result;
    return result;
  }

  async function loggedSeries(values: number[]): Promise<string> {
    const { key } = await newExperiment(backend(), uniqueProject());
    await backend().metrics.log(CALLER, key, series('m', values.length, (step) => values[step]));
    return key;
  }

  describe('metric history: raw pages', () => {
    it('pages through a series in (step, timestamp, insertion) order, each point exactly once', async () => {
      const { key } = await newExperiment(backend(), uniqueProject());
      // Where contexts are kept apart, a point of another context is another series (metric-contexts.ts).
      const merged = !backend().capabilities().metrics.contexts;
      await backend().metrics.log(CALLER, key, [
        { name: 'm', step: 2, value: 20, timestamp: BASE_TIME },
        { name: 'm', step: 1, value: 11, timestamp: BASE_TIME + 5 },
        { name: 'm', step: 1, value: 10, timestamp: BASE_TIME + 1 },
        { name: 'm', step: 1, value: 12, timestamp: BASE_TIME + 5 },
        { name: 'm', step: 0, value: 0, timestamp: BASE_TIME, epoch: 1, context: merged ? 'train' : null },
      ]);
      const values: number[] = [];
      let after: string | null = null;
      let pages = 0;
      for (;;) {
        const page: MetricHistory = await history({ experimentKey: key, name: 'm', first: 2, after });
        expect(page.totalCount).toBe(5);
        expect(page.sampled).toBe(false);
        expect(page.cursors).toHaveLength(page.points.length);
        values.push(...page.points.map((point) => point.value));
        pages += 1;
        if (!page.hasNextPage) break;
        after = page.cursors[page.cursors.length - 1];
      }
      expect(values).toEqual([0, 10, 11, 12, 20]);
      expect(pages).toBe(3);
      const [first] = (await history({ experimentKey: key, name: 'm', first: 1 })).points;
      // Where points keep no epoch or context (capabilities.metrics.pointAttributes), they read back null.
      const kept = backend().capabilities().metrics.pointAttributes;
      expect(first).toEqual({ step: 0, epoch: kept ? 1 : null, value: 0, timestamp: BASE_TIME, context: kept && merged ? 'train' : null });
    });

    it('continues from a cursor without repeats or gaps when points are logged between pages', async () => {
      const { key } = await newExperiment(backend(), uniqueProject());
      await backend().metrics.log(CALLER, key, series('m', 6, (step) => step));
      const firstPage = await history({ experimentKey: key, name: 'm', first: 3 });
      await backend().metrics.log(CALLER, key, series('m', 2, (step) => step, 6));
      const rest = await history({ experimentKey: key, name: 'm', first: 100, after: firstPage.cursors[2] });
      expect([...firstPage.points, ...rest.points].map((point) => point.step)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      expect(rest.hasNextPage).toBe(false);
    });

    it('applies the exclusive step range before paging; totalCount counts the range', async () => {
      const key = await loggedSeries(Array.from({ length: 300 }, (_, step) => step));
      const page = await history({ experimentKey: key, name: 'm', afterStep: 10, beforeStep: 250, first: 5 });
      expect(page.totalCount).toBe(239);
      expect(page.points.map((point) => point.step)).toEqual([11, 12, 13, 14, 15]);
      expect(page.hasNextPage).toBe(true);
      const tail = await history({ experimentKey: key, name: 'm', afterStep: 244, beforeStep: 250, first: 100 });
      expect(tail.points.map((point) => point.step)).toEqual([245, 246, 247, 248, 249]);
      expect(tail.hasNextPage).toBe(false);
      expect((await history({ experimentKey: key, name: 'm', afterStep: 5, beforeStep: 6 })).totalCount).toBe(0);
    });

    it('gives an empty history for an unknown experiment or metric, and answers in request order', async () => {
      const key = await loggedSeries([1, 2, 3]);
      const results = await backend().metrics.histories(CALLER, [
        { experimentKey: key, name: 'nope' },
        { experimentKey: key, name: 'm', first: 1 },
        { experimentKey: 'd'.repeat(32), name: 'm' },
        { experimentKey: key, name: 'm', afterStep: 0 },
      ]);
      expect(results.map((result) => (result as MetricHistory).totalCount)).toEqual([0, 3, 0, 2]);
      expect((results[1] as MetricHistory).points.map((point) => point.value)).toEqual([1]);
      expect((results[0] as MetricHistory).points).toEqual([]);
    });

    it('puts a BAD_USER_INPUT error in the slot of a request with a forged cursor', async () => {
      const key = await loggedSeries([1, 2, 3]);
      const [bad, good] = await backend().metrics.histories(CALLER, [
        { experimentKey: key, name: 'm', after: 'not-a-cursor' },
        { experimentKey: key, name: 'm' },
      ]);
      expect(bad).toBeInstanceOf(Error);
      expect(bad).toMatchObject({ code: 'BAD_USER_INPUT' });
      expect((good as MetricHistory).totalCount).toBe(3);
    });
  });

  describe('metric history: downsampling', () => {
    it('puts BAD_USER_INPUT in the slot of a request asking for 0 samples', async () => {
      const key = await loggedSeries([1, 2, 3]);
      const [bad] = await backend().metrics.histories(CALLER, [{ experimentKey: key, name: 'm', samples: 0 }]);
      expect(bad).toMatchObject({ code: 'BAD_USER_INPUT' });
    });

    const wave = (step: number): number => Math.sin(step / 50);

    it('returns at most N points, keeping the first, the last and every spike', async () => {
      const { key } = await newExperiment(backend(), uniqueProject());
      const spikes = new Map([[1_234, 100], [3_777, -100]]);
      await backend().metrics.log(CALLER, key, series('m', 5_000, (step) => spikes.get(step) ?? wave(step)));
      const sampled = await history({ experimentKey: key, name: 'm', samples: 40 });
      expect(sampled.sampled).toBe(true);
      expect(sampled.totalCount).toBe(5_000);
      expect(sampled.points.length).toBeLessThanOrEqual(40);
      expect(sampled.points.length).toBeGreaterThan(10);
      const steps = sampled.points.map((point) => point.step);
      expect(steps[0]).toBe(0);
      expect(steps[steps.length - 1]).toBe(4_999);
      expect(steps).toEqual([...steps].sort((a, b) => (a ?? -1) - (b ?? -1)));
      expect(sampled.points).toContainEqual(expect.objectContaining({ step: 1_234, value: 100 }));
      expect(sampled.points).toContainEqual(expect.objectContaining({ step: 3_777, value: -100 }));
      expect(await history({ experimentKey: key, name: 'm', samples: 40 })).toEqual(sampled);
    });

    it('applies the step range before sampling', async () => {
      const { key } = await newExperiment(backend(), uniqueProject());
      await backend().metrics.log(CALLER, key, series('m', 3_000, (step) => (step === 2_500 ? 9 : step === 100 ? -9 : wave(step))));
      const sampled = await history({ experimentKey: key, name: 'm', samples: 12, afterStep: 1_000, beforeStep: 2_900 });
      expect(sampled.totalCount).toBe(1_899);
      const steps = sampled.points.map((point) => point.step);
      expect(steps[0]).toBe(1_001);
      expect(steps[steps.length - 1]).toBe(2_899);
      expect(steps).toContain(2_500);
      expect(steps).not.toContain(100);
    });

    it('returns every point when samples is at least the point count', async () => {
      const key = await loggedSeries([5, 4, 3, 2, 1]);
      const sampled = await history({ experimentKey: key, name: 'm', samples: 5 });
      expect(sampled.points.map((point) => point.value)).toEqual([5, 4, 3, 2, 1]);
      expect(sampled.cursors).toEqual([]);
      expect(sampled.hasNextPage).toBe(false);
    });

    it('keeps the last point for samples 1 and the first and last for samples 2', async () => {
      const key = await loggedSeries([5, 100, 3, 2, 1]);
      expect((await history({ experimentKey: key, name: 'm', samples: 1 })).points.map((p) => p.step)).toEqual([4]);
      expect((await history({ experimentKey: key, name: 'm', samples: 2 })).points.map((p) => p.step)).toEqual([0, 4]);
    });

    it('still keeps extremes when every point has the same step', async () => {
      const { key } = await newExperiment(backend(), uniqueProject());
      const values = Array.from({ length: 500 }, (_, index) => (index === 321 ? 1_000 : index % 7));
      await backend().metrics.log(CALLER, key, values.map((value, index) => ({ name: 'm', step: 3, value, timestamp: BASE_TIME + index })));
      const sampled = await history({ experimentKey: key, name: 'm', samples: 20 });
      expect(sampled.points.length).toBeLessThanOrEqual(20);
      expect(sampled.points.length).toBeGreaterThan(4);
      expect(sampled.points.map((point) => point.value)).toContain(1_000);
      expect(sampled.points[0].timestamp).toBe(BASE_TIME);
      expect(sampled.points[sampled.points.length - 1].timestamp).toBe(BASE_TIME + 499);
    });

    it('ignores NaN when picking extremes but keeps NaN-only stretches visible', async () => {
      const values = Array.from({ length: 1_000 }, (_, step) => (step >= 300 && step < 800 ? Number.NaN : step === 200 ? 50 : 1));
      const key = await loggedSeries(values);
      const sampled = await history({ experimentKey: key, name: 'm', samples: 22 });
      const kept = sampled.points.map((point) => point.value);
      expect(kept).toContain(50);
      expect(kept.some((value) => Number.isNaN(value))).toBe(true);
      expect(sampled.points.length).toBeLessThanOrEqual(22);
    });
  });
}
