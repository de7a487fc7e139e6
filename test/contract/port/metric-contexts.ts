/** Contract: metric contexts ("train", "validate") kept apart in summaries and histories, or refused where a backend merges them. */
import type { Capabilities, MetricHistory } from '../../../src/backends/port';
import { BASE_TIME, CALLER, itWhen, newExperiment, uniqueProject, type GetBackend } from './support';

const historyOf = (slot: MetricHistory | Error): MetricHistory => {
  if (slot instanceof Error) throw slot;
  return slot;
};

export function describeMetricContexts(backend: GetBackend, capabilities: Capabilities): void {
  const it = (name: string, fn: () => Promise<void>) => itWhen(capabilities, (c) => c.metrics.contexts, 'metrics.contexts', name, fn);
  describe('metric contexts', () => {
    if (!capabilities.metrics.contexts) {
      globalThis.it('refuses a history of a named context as UNSUPPORTED, and reads the default one', async () => {
        const { key } = await newExperiment(backend(), uniqueProject());
        await backend().metrics.log(CALLER, key, [{ name: 'loss', step: 0, value: 1, timestamp: BASE_TIME }]);
        const [named, blank, plain] = await backend().metrics.histories(CALLER, [
          { experimentKey: key, name: 'loss', context: 'train' },
          { experimentKey: key, name: 'loss', context: ' ' },
          { experimentKey: key, name: 'loss' },
        ]);
        expect(named).toMatchObject({ extensions: { reason: 'UNSUPPORTED' } });
        expect(historyOf(blank).points.map((p) => p.value)).toEqual([1]);
        expect(historyOf(plain).points.map((p) => p.value)).toEqual([1]);
        const [summaries] = await backend().metrics.summaries(CALLER, [key]);
        expect(summaries).toEqual([expect.objectContaining({ name: 'loss', context: null })]);
      });
    }

    it('keeps one series per (metric, context): summaries listed apart, ordered by name then context', async () => {
      const { key } = await newExperiment(backend(), uniqueProject());
      await backend().metrics.log(CALLER, key, [
        { name: 'loss', step: 0, value: 4, context: 'train', timestamp: BASE_TIME },
        { name: 'loss', step: 1, value: 2, context: 'train', timestamp: BASE_TIME + 1 },
        { name: 'loss', step: 0, value: 9, context: 'validate', timestamp: BASE_TIME },
        { name: 'loss', step: 5, value: 7, timestamp: BASE_TIME + 5 },
        { name: 'loss', step: 6, value: 8, context: '', timestamp: BASE_TIME + 6 },
      ]);
      const [summaries] = await backend().metrics.summaries(CALLER, [key]);
      expect(summaries).toEqual([
        expect.objectContaining({ name: 'loss', context: null, last: 8, min: 7, max: 8, count: 2, lastStep: 6 }),
        expect.objectContaining({ name: 'loss', context: 'train', last: 2, min: 2, max: 4, count: 2, lastStep: 1 }),
        expect.objectContaining({ name: 'loss', context: 'validate', last: 9, min: 9, max: 9, count: 1, lastStep: 0 }),
      ]);
      const [named] = await backend().metrics.summaries(CALLER, [key], ['loss']);
      expect(named).toHaveLength(3);
    });

    it('reads the history of one context only, raw and sampled; no context means the default one', async () => {
      const { key } = await newExperiment(backend(), uniqueProject());
      const series = (context: string | null, offset: number) =>
        Array.from({ length: 50 }, (_, step) => ({ name: 'acc', step, value: offset + step, context, timestamp: BASE_TIME + step }));
      await backend().metrics.log(CALLER, key, [...series('train', 0), ...series('validate', 1000), ...series(null, 5000)]);
      const [train, validate, plain, sampled, unknown] = (await backend().metrics.histories(CALLER, [
        { experimentKey: key, name: 'acc', context: 'train', first: 100 },
        { experimentKey: key, name: 'acc', context: ' validate ', first: 100 },
        { experimentKey: key, name: 'acc', first: 100 },
        { experimentKey: key, name: 'acc', context: 'train', samples: 10 },
        { experimentKey: key, name: 'acc', context: 'test', first: 100 },
      ])).map(historyOf);
      expect(train.points.map((p) => p.value)).toEqual(series('train', 0).map((p) => p.value));
      expect(train.points.every((p) => p.context === 'train')).toBe(true);
      expect(validate.totalCount).toBe(50);
      expect(validate.points[0].value).toBe(1000);
      expect(plain.points.map((p) => p.value)).toEqual(series(null, 5000).map((p) => p.value));
      expect(sampled).toMatchObject({ sampled: true, totalCount: 50 });
      expect(Math.max(...sampled.points.map((p) => p.value))).toBe(49);
      expect(unknown).toMatchObject({ points: [], totalCount: 0 });
    });
  });
}
