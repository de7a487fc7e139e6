/**
 * Contract: production monitoring (prediction events, late labels, reference data, aggregates). Drift figures
 * are checked against values computed here from the data sets by the formulas, not by the gateway's code.
 */
import type { Backend, Capabilities, ModelVersionRef, Page, Prediction, PredictionEventInput, TimeBucket } from '../../../src/backends/port';
import { CALLER, WORKSPACE, bodyOf, expectCode, itWhen, newExperiment, uniqueProject, type GetBackend } from './support';

const HOUR = 3_600_000;
/** A whole hour, so buckets line up (and a recent one: Comet's read API looks back from now). */
const T0 = Math.floor((Date.now() - 48 * HOUR) / HOUR) * HOUR;

async function registeredVersion(backend: Backend): Promise<ModelVersionRef> {
  const project = uniqueProject('mon');
  const { key } = await newExperiment(backend, project);
  await backend.assets.put(CALLER, { experimentKey: key, fileName: 'w.bin', type: 'model-element', modelName: 'net', maxBytes: 100 }, bodyOf('w'));
  const modelName = `mon-${project}`;
  await backend.registry.register(CALLER, { experimentKey: key, experimentModelName: 'net', registryName: modelName, version: '1.0.0' });
  return { workspace: WORKSPACE, modelName, version: '1.0.0' };
}

function event(id: string, timestamp: number, features: PredictionEventInput['features'], prediction = {}, labels = {}): PredictionEventInput {
  return { predictionId: id, timestamp, features, prediction, labels };
}

/** Values 0..9, value k repeated `times(k)` times. */
function sample(times: (k: number) => number): number[] {
  return Array.from({ length: 10 }, (_, k) => Array.from({ length: times(k) }, () => k)).flat();
}

/** PSI and KL of proportions p (current) against r (reference), by formula. */
const psi = (p: number[], r: number[]) => p.reduce((s, pi, i) => s + (pi - r[i]) * Math.log(pi / r[i]), 0);
const kl = (p: number[], r: number[]) => p.reduce((s, pi, i) => s + pi * Math.log(pi / r[i]), 0);
/** 1-D earth mover's distance between two samples: the integral of |F_a − F_b|. */
function emdOfSamples(a: number[], b: number[]): number {
  const xs = [...new Set([...a, ...b])].sort((x, y) => x - y);
  const cdf = (s: number[], x: number) => s.filter((v) => v <= x).length / s.length;
  let sum = 0;
  for (let i = 0; i + 1 < xs.length; i += 1) sum += Math.abs(cdf(a, xs[i]) - cdf(b, xs[i])) * (xs[i + 1] - xs[i]);
  return sum;
}
const proportionsOf = (s: number[]) => Array.from({ length: 10 }, (_, k) => s.filter((v) => v === k).length / s.length);

function one<T>(slots: (T | Error)[]): T {
  const [slot] = slots;
  if (slot instanceof Error) throw slot;
  return slot;
}

export function describeMonitoring(backend: GetBackend, capabilities: Capabilities): void {
  describe('production monitoring', () => {
    itWhen(capabilities, (c) => c.monitoring.supported, 'monitoring.supported', 'counts logged predictions per hour, every bucket of the range included', async () => {
      const ref = await registeredVersion(backend());
      const events = [0, 1, 2].flatMap((h) => Array.from({ length: h + 1 }, (_, i) => event(`p-${h}-${i}`, T0 + h * HOUR + i * 1000, { x: i })));
      expect(await backend().monitoring.log(CALLER, ref, events)).toBe('ACCEPTED');
      const buckets = one(await backend().monitoring.counts(CALLER, [{ ref, from: T0, to: T0 + 4 * HOUR, interval: 'HOUR' }]));
      expect(buckets.map((b) => [b.start - T0, b.count])).toEqual([[0, 1], [HOUR, 2], [2 * HOUR, 3], [3 * HOUR, 0]]);
    });

    itWhen(capabilities, (c) => c.monitoring.supported, 'monitoring.supported', 'refuses events for a model version that is not registered with NOT_FOUND', async () => {
      const ref = await registeredVersion(backend());
      await expectCode(backend().monitoring.log(CALLER, { ...ref, version: '9.9.9' }, [event('a', T0, { x: 1 })]), 'NOT_FOUND');
      await expectCode(backend().monitoring.logLabels(CALLER, { ...ref, modelName: `${ref.modelName}-none` }, [{ predictionId: 'a', timestamp: T0, labels: { value: 1 } }]), 'NOT_FOUND');
    });

    itWhen(capabilities, (c) => c.monitoring.supported && c.monitoring.listPredictions, 'monitoring.listPredictions', 'merges events by prediction id: a label before its prediction, an exact duplicate stores nothing', async () => {
      const ref = await registeredVersion(backend());
      const m = backend().monitoring;
      await m.logLabels(CALLER, ref, [{ predictionId: 'p1', timestamp: T0 + 5 * HOUR, labels: { value: 'cat' } }]);
      await m.log(CALLER, ref, [event('p1', T0, { x: 1.5, color: 'red' }, { value: 'cat', probability: 0.9 })]);
      await m.log(CALLER, ref, [event('p1', T0, { x: 1.5, color: 'red' }, { value: 'cat', probability: 0.9 })]);
      await m.log(CALLER, ref, [event('p2', T0 + 1000, { x: 2 })]);
      const page = one(await m.predictions(CALLER, [{ ref, first: 10 }])) as Page<Prediction>;
      expect(page.totalCount).toBe(2);
      expect(page.items).toEqual([
        { predictionId: 'p1', timestamp: T0, features: { color: 'red', x: 1.5 }, prediction: { probability: 0.9, value: 'cat' }, labels: { value: 'cat' } },
        { predictionId: 'p2', timestamp: T0 + 1000, features: { x: 2 }, prediction: {}, labels: {} },
      ]);
      const counts = one(await m.counts(CALLER, [{ ref, from: T0, to: T0 + 6 * HOUR, interval: 'HOUR' }]));
      expect(counts.map((b) => b.count)).toEqual([2, 0, 0, 0, 0, 0]);
      const next = one(await m.predictions(CALLER, [{ ref, first: 1, after: page.cursors[0] }])) as Page<Prediction>;
      expect(next.items.map((p) => p.predictionId)).toEqual(['p2']);
      expect([page.hasPreviousPage, page.hasNextPage, next.hasPreviousPage, next.hasNextPage]).toEqual([false, false, true, false]);
    });

    itWhen(capabilities, (c) => c.monitoring.supported && c.monitoring.listPredictions, 'monitoring.listPredictions', 'stores nothing of a batch with one value of the wrong type', async () => {
      const ref = await registeredVersion(backend());
      await backend().monitoring.log(CALLER, ref, [event('a', T0, { x: 1 })]);
      await expectCode(backend().monitoring.log(CALLER, ref, [event('b', T0, { x: 2 }), event('c', T0, { x: 'two' })]), 'BAD_USER_INPUT');
      const page = one(await backend().monitoring.predictions(CALLER, [{ ref, first: 10 }])) as Page<Prediction>;
      expect(page.items.map((p) => p.predictionId)).toEqual(['a']);
    });

    itWhen(capabilities, (c) => c.monitoring.supported && c.monitoring.referenceData, 'monitoring.referenceData', 'measures PSI, KL and EMD against reference data as the formulas give them', async () => {
      const ref = await registeredVersion(backend());
      const m = backend().monitoring;
      const reference = sample(() => 10);
      const same = sample(() => 3);
      const skewed = sample((k) => k + 1);
      await m.logReference(CALLER, ref, reference.map((x, i) => event(`r${i}`, T0 - HOUR, { x })));
      await m.log(CALLER, ref, [
        ...same.map((x, i) => event(`a${i}`, T0 + i, { x })),
        ...skewed.map((x, i) => event(`b${i}`, T0 + HOUR + i, { x })),
      ]);
      const figure = async (algorithm: 'PSI' | 'KL' | 'EMD'): Promise<TimeBucket[]> =>
        one(await m.drift(CALLER, [{ ref, feature: 'x', source: 'INPUT', from: T0, to: T0 + 2 * HOUR, interval: 'HOUR', algorithm, reference: 'REFERENCE_DATA' }]));
      const r = proportionsOf(reference);
      const p = proportionsOf(skewed);
      const psiBuckets = await figure('PSI');
      expect(psiBuckets.map((b) => [b.start - T0, b.count])).toEqual([[0, same.length], [HOUR, skewed.length]]);
      expect(psiBuckets[0].value).toBeCloseTo(0, 9);
      expect(psiBuckets[1].value).toBeCloseTo(psi(p, r), 9);
      expect((await figure('KL'))[1].value).toBeCloseTo(kl(p, r), 9);
      const emd = await figure('EMD');
      expect(emd[0].value).toBeCloseTo(0, 9);
      expect(emd[1].value).toBeCloseTo(emdOfSamples(skewed, reference), 9);
      expect(emdOfSamples(skewed, reference)).toBeGreaterThan(0.5);
    });

    itWhen(capabilities, (c) => c.monitoring.supported && c.monitoring.firstWindowDrift, 'monitoring.firstWindowDrift', 'measures drift against the first window when asked, with bins fixed from the first values', async () => {
      const ref = await registeredVersion(backend());
      const first = sample(() => 4);
      const later = sample((k) => (k < 5 ? 1 : 7));
      await backend().monitoring.log(CALLER, ref, first.map((x, i) => event(`a${i}`, T0 + i, { x })));
      await backend().monitoring.log(CALLER, ref, later.map((x, i) => event(`b${i}`, T0 + 2 * HOUR + i, { x })));
      const buckets = one(await backend().monitoring.drift(CALLER, [{ ref, feature: 'x', source: 'INPUT', interval: 'HOUR', algorithm: 'PSI', reference: 'FIRST_WINDOW' }]));
      expect(buckets.map((b) => b.start - T0)).toEqual([0, 2 * HOUR]);
      expect(buckets[1].value).toBeCloseTo(psi(proportionsOf(later), proportionsOf(first)), 9);
    });

    itWhen(capabilities, (c) => c.monitoring.supported && c.monitoring.listPredictions, 'monitoring.listPredictions', 'describes a numerical and a categorical distribution with missing values counted', async () => {
      const ref = await registeredVersion(backend());
      const values = sample((k) => k + 1);
      await backend().monitoring.log(CALLER, ref, [
        ...values.map((x, i) => event(`n${i}`, T0 + i, { x, color: i % 3 === 0 ? 'red' : 'blue' })),
        event('none', T0 + 99_000, {}),
      ]);
      const [num, cat] = await backend().monitoring.distributions(CALLER, [
        { ref, feature: 'x', source: 'INPUT' }, { ref, feature: 'color', source: 'INPUT' },
      ]);
      expect(num).toMatchObject({ type: 'NUMERICAL', missing: 1, categories: [] });
      const bins = (num as { bins: { start: number; end: number; count: number }[] }).bins;
      expect(bins.map((b) => b.count)).toEqual(Array.from({ length: 10 }, (_, k) => k + 1));
      expect(bins[0].start).toBe(0);
      expect(bins[9].end).toBe(9);
      const sorted = [...values].sort((a, b) => a - b);
      expect((num as { percentiles: { min: number; p50: number; max: number } }).percentiles).toMatchObject({ min: 0, max: 9, p50: sorted[(sorted.length - 1) / 2] });
      const reds = values.filter((_, i) => i % 3 === 0).length;
      expect(cat).toEqual({ type: 'CATEGORICAL', bins: [], percentiles: null, missing: 1, categories: [{ value: 'blue', count: values.length - reds }, { value: 'red', count: reds }] });
    });

    itWhen(capabilities, (c) => c.monitoring.supported && c.monitoring.labelMetrics, 'monitoring.labelMetrics', 'computes label metrics over predictions paired with late labels', async () => {
      const ref = await registeredVersion(backend());
      const outputs = [1, 1, 0, 0, 1];
      const labels = [1, 0, 0, 1, 1];
      await backend().monitoring.log(CALLER, ref, outputs.map((value, i) => event(`p${i}`, T0 + i, {}, { value })));
      await backend().monitoring.logLabels(CALLER, ref, labels.map((value, i) => ({ predictionId: `p${i}`, timestamp: T0 + 5 * HOUR, labels: { value } })));
      const metric = async (name: 'ACCURACY' | 'PRECISION' | 'RECALL' | 'F1' | 'MAE' | 'RMSE') =>
        one(await backend().monitoring.labelMetrics(CALLER, [{ ref, metric: name, output: 'value', label: 'value', interval: 'DAY' }]))[0];
      expect(await metric('ACCURACY')).toMatchObject({ value: 3 / 5, count: 5 });
      expect((await metric('PRECISION')).value).toBeCloseTo(2 / 3, 12);
      expect((await metric('RECALL')).value).toBeCloseTo(2 / 3, 12);
      expect((await metric('F1')).value).toBeCloseTo(2 / 3, 12);
      expect((await metric('MAE')).value).toBeCloseTo(2 / 5, 12);
      expect((await metric('RMSE')).value).toBeCloseTo(Math.sqrt(2 / 5), 12);
    });

    it('refuses what the backend lacks with its capability flag named', async () => {
      const ref = await registeredVersion(backend());
      if (!capabilities.monitoring.supported) {
        // Not at all: every write refused, every read slot an error, all with the same reason.
        const m = backend().monitoring;
        for (const write of [m.log(CALLER, ref, [event('a', T0, {})]), m.logLabels(CALLER, ref, [{ predictionId: 'a', timestamp: T0, labels: {} }]), m.logReference(CALLER, ref, [event('a', T0, {})])]) {
          await expect(write).rejects.toMatchObject({ code: 'BAD_USER_INPUT', extensions: { reason: 'UNSUPPORTED' } });
        }
        const slots = [
          ...(await m.predictions(CALLER, [{ ref, first: 1 }])), ...(await m.counts(CALLER, [{ ref, from: T0, to: T0 + HOUR, interval: 'HOUR' }])),
          ...(await m.distributions(CALLER, [{ ref, feature: 'x', source: 'INPUT' }])), ...(await m.features(CALLER, [ref])),
          ...(await m.drift(CALLER, [{ ref, feature: 'x', source: 'INPUT', interval: 'HOUR', algorithm: 'PSI', reference: 'FIRST_WINDOW' }])),
          ...(await m.labelMetrics(CALLER, [{ ref, metric: 'ACCURACY', output: 'value', label: 'value', interval: 'DAY' }])),
        ];
        expect(slots.every((x) => x instanceof Error && (x as { extensions?: { reason?: string } }).extensions?.reason === 'UNSUPPORTED')).toBe(true);
        return;
      }
      const m = backend().monitoring;
      const c = capabilities.monitoring;
      if (!c.listPredictions) expect((await m.predictions(CALLER, [{ ref, first: 1 }]))[0]).toMatchObject({ code: 'BAD_USER_INPUT', extensions: { reason: 'UNSUPPORTED' } });
      if (!c.referenceData) await expectCode(m.logReference(CALLER, ref, [event('r', T0, { x: 1 })]), 'BAD_USER_INPUT');
      if (!c.labelMetrics) expect((await m.labelMetrics(CALLER, [{ ref, metric: 'ACCURACY', output: 'value', label: 'value', interval: 'DAY' }]))[0]).toMatchObject({ code: 'BAD_USER_INPUT', extensions: { reason: 'UNSUPPORTED' } });
      const lacking = Object.entries(c).filter(([, v]) => !v).map(([k]) => k);
      expect(lacking.every((flag) => ['listPredictions', 'referenceData', 'firstWindowDrift', 'labelMetrics'].includes(flag))).toBe(true);
    });

    itWhen(capabilities, (c) => c.monitoring.supported, 'monitoring.supported', 'reports the features it saw, with their types', async () => {
      const ref = await registeredVersion(backend());
      await backend().monitoring.log(CALLER, ref, [event('a', T0, { age: 31, city: 'Oslo', vip: true }, { value: 0.7 }, { value: 1 })]);
      expect(one(await backend().monitoring.features(CALLER, [ref]))).toEqual([
        { name: 'age', source: 'INPUT', type: 'NUMERICAL' },
        { name: 'city', source: 'INPUT', type: 'CATEGORICAL' },
        { name: 'vip', source: 'INPUT', type: 'CATEGORICAL' },
        { name: 'value', source: 'OUTPUT', type: 'NUMERICAL' },
        { name: 'value', source: 'LABEL', type: 'NUMERICAL' },
      ]);
    });
  });
}
