/** Pure parts of the Comet adapter: wire values, key parsing, the budget window, tie repair, filter split. */
import { RateBudget } from '../../src/backends/comet/budget';
import { decodeCached, encodeCached } from '../../src/backends/comet/cache';
import type { WirePoint } from '../../src/backends/comet/decode';
import { decodeChart, decodeProject, decodeWorkspaces } from '../../src/backends/comet/decode';
import { splitFilter } from '../../src/backends/comet/filter';
import { repairTies } from '../../src/backends/comet/summaries';
import { configuredUpstream, parseApiKey } from '../../src/backends/comet/routing';
import { retryAfterSeconds } from '../../src/backends/comet/upstream-errors';
import { metricValueForWire, parseMetricValue } from '../../src/backends/comet/values';

describe('comet wire values', () => {
  it.each([
    ['0.876', 0.876], ['-3', -3], ['1e-3', 0.001], [42, 42],
    ['Infinity', Infinity], ['inf', Infinity], ['+Infinity', Infinity], ['-Infinity', -Infinity], ['-inf', -Infinity],
  ])('reads %j as %p', (raw, expected) => {
    expect(parseMetricValue(raw, 'test')).toBe(expected);
  });

  it('reads NaN spellings and a missing value as NaN, and refuses text', () => {
    for (const raw of ['NaN', 'nan', 'NAN', null]) expect(parseMetricValue(raw, 'test')).toBeNaN();
    expect(() => parseMetricValue('abc', 'test')).toThrow(expect.objectContaining({ code: 'UPSTREAM_UNAVAILABLE' }));
  });

  it('writes finite values as numbers and the others as their spelling', () => {
    expect([0.5, Number.NaN, Infinity, -Infinity].map(metricValueForWire)).toEqual([0.5, 'NaN', 'Infinity', '-Infinity']);
  });

  it('keeps NaN and ±Infinity through the cache encoding', () => {
    const back = decodeCached(encodeCached({ a: [Number.NaN, Infinity, -Infinity, 1] })) as { a: number[] };
    expect(back.a[0]).toBeNaN();
    expect(back.a.slice(1)).toEqual([Infinity, -Infinity, 1]);
  });
});

describe('comet decoders', () => {
  it('reads workspaces as names or {name} objects', () => {
    expect(decodeWorkspaces({ workspaceNames: ['a', 'b'] })).toEqual(['a', 'b']);
    expect(decodeWorkspaces({ workspaceNames: [{ name: 'c' }] })).toEqual(['c']);
  });

  it('reads project visibility from `public` or `isPublic`', () => {
    const base = { projectId: 'i', projectName: 'p', workspaceName: 'w' };
    expect(decodeProject({ ...base, public: true }).isPublic).toBe(true);
    expect(decodeProject({ ...base, isPublic: true }).isPublic).toBe(true);
    expect(decodeProject(base).isPublic).toBe(false);
  });

  it('keys chart experiments off the map key and accepts numbers or strings', () => {
    const chart = decodeChart({
      experiments: { k1: { experimentKey: 'ignored', params: { lr: 0.1, opt: 'adam' }, metrics: [{ metricName: 'loss', values: ['0.5', 'NaN', 2], steps: [0, 1, 2], timestamps: [1, 2, 3] }] } },
      empty: false,
    });
    expect([...(chart.get('k1')?.params ?? [])]).toEqual([['lr', '0.1'], ['opt', 'adam']]);
    expect(chart.get('k1')?.metrics.get('loss')?.map((p) => p.value)).toEqual([0.5, Number.NaN, 2]);
  });

  it('answers an unexpected shape with UPSTREAM_UNAVAILABLE', () => {
    expect(() => decodeWorkspaces([1, 2])).toThrow(expect.objectContaining({ code: 'UPSTREAM_UNAVAILABLE' }));
  });
});

describe('comet routing', () => {
  it('splits an enhanced key into its short part and baseUrl', () => {
    const tail = Buffer.from(JSON.stringify({ baseUrl: 'https://comet.example.com' })).toString('base64');
    expect(parseApiKey(`abc*${tail}`)).toEqual({ shortKey: 'abc', baseUrl: 'https://comet.example.com' });
    expect(parseApiKey('plain')).toEqual({ shortKey: 'plain', baseUrl: null });
    expect(parseApiKey('abc*not-base64-json')).toEqual({ shortKey: 'abc', baseUrl: null });
  });

  it('prefers TRACKQL_COMET_URL, then COMET_URL_OVERRIDE without its /clientlib/ tail, keeping a path prefix', () => {
    expect(configuredUpstream('https://a.example', 'https://b.example/clientlib/')).toEqual({ origin: 'https://a.example', prefix: '' });
    expect(configuredUpstream(null, 'https://b.example/comet/clientlib')).toEqual({ origin: 'https://b.example', prefix: '/comet' });
    expect(configuredUpstream(null, null)).toBeNull();
  });

  it('reads Retry-After as seconds or as a date', () => {
    expect(retryAfterSeconds('3')).toBe(3);
    expect(retryAfterSeconds(new Date(Date.now() + 5_000).toUTCString())).toBeGreaterThanOrEqual(4);
    expect(retryAfterSeconds(undefined)).toBeNull();
  });
});

describe('comet rate budget', () => {
  it('allows N calls in any hour and says when the next one fits', () => {
    let now = 1_000_000;
    const budget = new RateBudget({ perHour: 2, now: () => now });
    expect(budget.take('k')).toBe(0);
    now += 1_000;
    expect(budget.take('k')).toBe(0);
    expect(budget.take('k')).toBe(3_599);
    expect(budget.take('other')).toBe(0);
    now += 3_599_000;
    expect(budget.take('k')).toBe(0);
  });
});

describe('comet series order', () => {
  const p = (value: number, step: number, timestamp: number, context: string | null = null): WirePoint => ({ value, step, epoch: null, timestamp, context });

  it('orders points tied on (step, timestamp) as the chart stored them, keeping get-metric contexts', () => {
    const fromGetMetric = [p(0, 0, 1, 'train'), p(12, 1, 5, 'b'), p(11, 1, 5, 'a'), p(20, 2, 1)];
    const fromChart = [p(0, 0, 1), p(11, 1, 5), p(12, 1, 5), p(20, 2, 1)];
    expect(repairTies(fromGetMetric, fromChart).map((x) => [x.value, x.context])).toEqual([[0, 'train'], [11, 'a'], [12, 'b'], [20, null]]);
  });
});

describe('comet filter split', () => {
  const columns = [
    { name: 'gpu', type: 'string', source: 'tag' },
    { name: 'lr', type: 'double', source: 'params' },
    { name: 'opt', type: 'string', source: 'params' },
  ];

  it('sends tags and numeric parameter rules of the top-level AND to Comet, keeps the rest', () => {
    const split = splitFilter({ and: [{ tag: 'gpu' }, { parameter: { name: 'lr', op: 'GT', value: '0.5' } }, { parameter: { name: 'opt', op: 'EQ', value: 'adam' } }, { nameContains: 'x' }] }, columns);
    expect(split.predicates).toEqual([
      { source: 'tag', query: { condition: 'AND', valid: true, rules: [{ id: 'gpu', field: 'gpu', type: 'string', operator: 'equal', value: 'gpu' }] } },
      { source: 'params', query: { condition: 'AND', valid: true, rules: [{ id: 'lr', field: 'lr', type: 'double', operator: 'greater', value: 0.5 }] } },
    ]);
    expect(split.residual).toEqual({ and: [{ parameter: { name: 'opt', op: 'EQ', value: 'adam' } }, { nameContains: 'x' }] });
    expect(split.impossible).toBe(false);
  });

  it('keeps OR and NOT whole in the gateway, and knows a missing tag matches nothing', () => {
    const or = { or: [{ tag: 'gpu' }, { tag: 'cpu' }] };
    expect(splitFilter(or, columns)).toEqual({ predicates: [], residual: or, impossible: false });
    expect(splitFilter({ tag: 'cpu' }, columns).impossible).toBe(true);
  });
});
