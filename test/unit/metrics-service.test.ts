import type { Backend, MetricPointInput } from '../../src/backends/port';
import { BadUserInputError, PayloadTooLargeError } from '../../src/errors';
import { ANONYMOUS } from '../../src/server/identity';
import { MetricsService } from '../../src/services/metrics.service';

function recordingBackend() {
  const calls: MetricPointInput[][] = [];
  const backend = { metrics: { log: async (_c: unknown, _k: string, points: MetricPointInput[]) => { calls.push(points); return 'ACCEPTED' as const; } } };
  return { backend: backend as unknown as Backend, calls };
}

describe('MetricsService.logMetrics', () => {
  it('maps nonFinite to NaN and infinities and stamps missing timestamps', async () => {
    const { backend, calls } = recordingBackend();
    const service = new MetricsService(backend, 10, () => 1234);
    await service.logMetrics(ANONYMOUS, 'abc', [
      { name: 'loss', nonFinite: 'NAN', step: 0 },
      { name: 'loss', nonFinite: 'INFINITY', step: 1 },
      { name: 'loss', nonFinite: 'NEGATIVE_INFINITY', step: 2, timestamp: 99 },
      { name: ' loss ', value: 0.5, step: 3 },
    ]);
    expect(calls[0].map((p) => [p.name, p.value, p.timestamp])).toEqual([
      ['loss', Number.NaN, 1234], ['loss', Infinity, 1234], ['loss', -Infinity, 99], ['loss', 0.5, 1234],
    ]);
  });

  it('refuses the whole batch when one point is bad, before touching the backend', async () => {
    const { backend, calls } = recordingBackend();
    const service = new MetricsService(backend, 10);
    await expect(service.logMetrics(ANONYMOUS, 'abc', [{ name: 'a', value: 1, step: 0 }, { name: 'a', value: 1, step: -1 }]))
      .rejects.toThrow(new BadUserInputError('points[1].step must be an integer >= 0, got -1'));
    await expect(service.logMetrics(ANONYMOUS, 'abc', [{ name: 'a', value: 1, nonFinite: 'NAN', step: 0 }]))
      .rejects.toThrow('points[0] must have exactly one of value or nonFinite');
    await expect(service.logMetrics(ANONYMOUS, 'abc', new Array(11).fill({ name: 'a', value: 1, step: 0 })))
      .rejects.toThrow(PayloadTooLargeError);
    await expect(service.logMetrics(ANONYMOUS, 'abc', [])).rejects.toThrow(BadUserInputError);
    expect(calls).toHaveLength(0);
  });
});

describe('MetricsService.logMetrics with series (column form)', () => {
  it('expands series after points, in order, with one context and optional columns', async () => {
    const { backend, calls } = recordingBackend();
    const service = new MetricsService(backend, 10, () => 5);
    const result = await service.logMetrics(ANONYMOUS, 'abc', [{ name: 'acc', value: 0.5, step: 0 }], [
      { name: 'loss', steps: [0, 1, 2], values: [1, null, 0.5], nonFinite: [null, 'INFINITY', null], timestamps: [10, 11, 12], context: 'train' },
      { name: 'lr', steps: [0], values: [0.1] },
    ]);
    expect(result).toEqual({ accepted: 5, status: 'ACCEPTED' });
    expect(calls[0]).toEqual([
      { name: 'acc', value: 0.5, step: 0, epoch: null, timestamp: 5, context: null },
      { name: 'loss', value: 1, step: 0, epoch: null, timestamp: 10, context: 'train' },
      { name: 'loss', value: Infinity, step: 1, epoch: null, timestamp: 11, context: 'train' },
      { name: 'loss', value: 0.5, step: 2, epoch: null, timestamp: 12, context: 'train' },
      { name: 'lr', value: 0.1, step: 0, epoch: null, timestamp: 5, context: null },
    ]);
  });

  it('refuses columns of unequal length, a value given twice, and more points than the limit counted across both forms', async () => {
    const { backend, calls } = recordingBackend();
    const service = new MetricsService(backend, 4);
    await expect(service.logMetrics(ANONYMOUS, 'abc', [], [{ name: 'l', steps: [0, 1], values: [1] }]))
      .rejects.toThrow('series[0].values must have as many entries as series[0].steps (2), got 1');
    await expect(service.logMetrics(ANONYMOUS, 'abc', [], [{ name: 'l', steps: [0], values: [1], nonFinite: ['NAN'] }]))
      .rejects.toThrow('series[0] entry 0 must have exactly one of values[0] or nonFinite[0]');
    await expect(service.logMetrics(ANONYMOUS, 'abc', [], [{ name: 'l', steps: [0, -2], values: [1, 2] }]))
      .rejects.toThrow('series[0].steps[1] must be an integer >= 0, got -2');
    await expect(service.logMetrics(ANONYMOUS, 'abc', [{ name: 'a', value: 1, step: 0 }], [{ name: 'l', steps: [0, 1, 2, 3], values: [1, 2, 3, 4] }]))
      .rejects.toThrow(PayloadTooLargeError);
    expect(calls).toHaveLength(0);
  });

  it('names the entry of every column it refuses', async () => {
    const { backend, calls } = recordingBackend();
    const service = new MetricsService(backend, 10);
    const refusals: [Record<string, unknown>, string][] = [
      [{ epochs: [0, 1.5] }, 'series[1].epochs[1] must be an integer >= 0, got 1.5'],
      [{ timestamps: [0, -1] }, 'series[1].timestamps[1] must be a time between 1970 and 9999'],
      [{ steps: [0, Number.MAX_SAFE_INTEGER + 1] }, `series[1].steps[1] must be an integer >= 0, got ${Number.MAX_SAFE_INTEGER + 1}`],
    ];
    for (const [columns, message] of refusals) {
      const series = [{ name: 'ok', steps: [0], values: [1] }, { name: 'l', steps: [0, 1], values: [1, 2], ...columns }];
      await expect(service.logMetrics(ANONYMOUS, 'abc', [], series as never)).rejects.toThrow(new BadUserInputError(message));
    }
    expect(calls).toHaveLength(0);
  });
});

describe('MetricsService.logMetrics with one object per point', () => {
  it('names the point and field it refuses, after names it has already accepted', async () => {
    const { backend, calls } = recordingBackend();
    const service = new MetricsService(backend, 10);
    const good = { name: 'loss', value: 1, step: 0 };
    const refusals: [Record<string, unknown>, string][] = [
      [{ epoch: -1 }, 'points[2].epoch must be an integer >= 0, got -1'],
      [{ timestamp: Number.POSITIVE_INFINITY }, 'points[2].timestamp must be a time between 1970 and 9999'],
      [{ name: '  ' }, 'points[2].name must not be empty'],
      [{ name: 'lo\u0000ss' }, 'points[2].name must not contain control characters'],
      [{ context: 'x'.repeat(300) }, 'points[2].context must be at most'],
    ];
    for (const [fields, message] of refusals) {
      await expect(service.logMetrics(ANONYMOUS, 'abc', [good, good, { ...good, ...fields }] as never)).rejects.toThrow(message);
    }
    expect(calls).toHaveLength(0);
  });

  it('keeps each distinct name as checked, trimmed the same way every time it repeats', async () => {
    const { backend, calls } = recordingBackend();
    const service = new MetricsService(backend, 10, () => 7);
    await service.logMetrics(ANONYMOUS, 'abc', [
      { name: ' loss', value: 1, step: 0, context: 'train ' }, { name: ' loss', value: 2, step: 1, context: 'train ' }, { name: 'loss', value: 3, step: 2 },
    ]);
    expect(calls[0].map((p) => [p.name, p.context])).toEqual([['loss', 'train'], ['loss', 'train'], ['loss', null]]);
  });
});
