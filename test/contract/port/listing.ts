/** Contract: listing experiments with filters, orders and pages. */
import type { Experiment, ExperimentFilter, ExperimentOrder, ListExperimentsRequest } from '../../../src/backends/port';
import { CALLER, WORKSPACE, newExperiment, uniqueProject, type GetBackend } from './support';

interface Fixture {
  project: string;
  /** Experiment key by name. */
  keys: Record<string, string>;
}

/**
 * Five experiments:
 *   name        status    started  params              last loss   tags
 *   alpha       FINISHED  1000     lr=0.1  opt=adam    0.5         best
 *   beta        RUNNING   2000     lr=10   opt=sgd     0.2         best, gpu
 *   gamma 50%   FAILED    3000     lr=9    opt=adam    (none)      gpu
 *   Delta_x     RUNNING   4000     lr=abc              0.9 (min 0.1)
 *   epsilon     CRASHED   5000     (none)              0.2         (archived)
 */
async function seed(backend: GetBackend): Promise<Fixture> {
  const project = uniqueProject('list');
  const keys: Record<string, string> = {};
  const rows = [
    { name: 'alpha', startedAt: 1_000, params: { lr: '0.1', opt: 'adam' }, loss: [0.5], tags: ['best'], end: 'FINISHED' },
    { name: 'beta', startedAt: 2_000, params: { lr: '10', opt: 'sgd' }, loss: [0.2], tags: ['best', 'gpu'] },
    { name: 'gamma 50%', startedAt: 3_000, params: { lr: '9', opt: 'adam' }, loss: [], tags: ['gpu'], end: 'FAILED' },
    { name: 'Delta_x', startedAt: 4_000, params: { lr: 'abc' }, loss: [0.1, 0.9], tags: [] },
    { name: 'epsilon', startedAt: 5_000, params: {}, loss: [0.2], tags: [], end: 'CRASHED', archive: true },
  ] as const;
  for (const row of rows) {
    const parameters = Object.entries(row.params).map(([name, value]) => ({ name, value }));
    const experiment = await newExperiment(backend(), project, { name: row.name, startedAt: row.startedAt, tags: [...row.tags], parameters });
    keys[row.name] = experiment.key;
    if (row.loss.length > 0) {
      await backend().metrics.log(CALLER, experiment.key, row.loss.map((value, step) => ({ name: 'loss', value, step })));
    }
    if ('end' in row) await backend().experiments.end(CALLER, { experimentKey: experiment.key, status: row.end });
    if ('archive' in row) await backend().experiments.archive(CALLER, experiment.key);
  }
  return { project, keys };
}

export function describeListing(backend: GetBackend): void {
  describe('listing experiments', () => {
    let fixture: Fixture;
    beforeEach(async () => {
      fixture = await seed(backend);
    });

    async function list(extra: Partial<ListExperimentsRequest> = {}): Promise<Experiment[]> {
      const page = await backend().experiments.list(CALLER, {
        project: { workspace: WORKSPACE, name: fixture.project },
        page: { first: 100 },
        ...extra,
      });
      expect(page.totalCount).toBe(page.items.length);
      return page.items;
    }

    const names = (items: Experiment[]): (string | null)[] => items.map((item) => item.name);
    const filtered = async (filter: ExperimentFilter): Promise<(string | null)[]> =>
      names(await list({ filter, orderBy: [{ field: 'STARTED_AT', direction: 'ASC' }] }));

    it('lists non-archived experiments by default, ordered by key when no order is given', async () => {
      const items = await list();
      expect(items.map((item) => item.key)).toEqual(
        Object.entries(fixture.keys).filter(([name]) => name !== 'epsilon').map(([, key]) => key).sort(),
      );
    });

    it('filters by tag, status and case-insensitive name with LIKE wildcards taken literally', async () => {
      expect(await filtered({ tag: 'gpu' })).toEqual(['beta', 'gamma 50%']);
      expect(await filtered({ status: ['RUNNING', 'FAILED'] })).toEqual(['beta', 'gamma 50%', 'Delta_x']);
      expect(await filtered({ nameContains: 'DELTA' })).toEqual(['Delta_x']);
      expect(await filtered({ nameContains: '50%' })).toEqual(['gamma 50%']);
      expect(await filtered({ nameContains: '%' })).toEqual(['gamma 50%']);
      expect(await filtered({ nameContains: '_' })).toEqual(['Delta_x']);
      expect(await filtered({ nameContains: 'a_' })).toEqual(['Delta_x']);
    });

    it('compares parameters numerically when both sides are numbers and as strings otherwise', async () => {
      // 'abc' is not a number, so it compares as a string: 'abc' > '9.5'.
      expect(await filtered({ parameter: { name: 'lr', op: 'GT', value: '9.5' } })).toEqual(['beta', 'Delta_x']);
      expect(await filtered({ parameter: { name: 'lr', op: 'LTE', value: '9' } })).toEqual(['alpha', 'gamma 50%']);
      expect(await filtered({ parameter: { name: 'lr', op: 'EQ', value: 'abc' } })).toEqual(['Delta_x']);
      expect(await filtered({ parameter: { name: 'opt', op: 'NE', value: 'adam' } })).toEqual(['beta']);
    });

    it('compares metric summaries on LAST, MIN and MAX', async () => {
      expect(await filtered({ metric: { name: 'loss', aggregate: 'LAST', op: 'GTE', value: 0.5 } })).toEqual(['alpha', 'Delta_x']);
      expect(await filtered({ metric: { name: 'loss', aggregate: 'MIN', op: 'LT', value: 0.15 } })).toEqual(['Delta_x']);
      expect(await filtered({ metric: { name: 'loss', aggregate: 'MAX', op: 'EQ', value: 0.2 } })).toEqual(['beta']);
    });

    // Where `orFilters` is false the adapter evaluates OR and NOT itself: the answer is the same either way.
    it('combines filters with and, or and not', async () => {
      expect(await filtered({ or: [{ tag: 'best' }, { status: ['FAILED'] }] })).toEqual(['alpha', 'beta', 'gamma 50%']);
      expect(await filtered({ not: { tag: 'best' } })).toEqual(['gamma 50%', 'Delta_x']);
      expect(
        await filtered({ and: [{ tag: 'gpu' }, { not: { or: [{ status: ['FAILED'] }, { nameContains: 'zzz' }] } }] }),
      ).toEqual(['beta']);
      expect(await filtered({ and: [{ startedAfter: 1_000, startedBefore: 4_000 }, { not: { tag: 'gpu' } }] })).toEqual([]);
      expect(await filtered({ startedAfter: 1_000, startedBefore: 4_000 })).toEqual(['beta', 'gamma 50%']);
    });

    it('includes archived experiments when asked or when the filter mentions archived', async () => {
      expect(await filtered({ archived: true })).toEqual(['epsilon']);
      expect(names(await list({ includeArchived: true, orderBy: [{ field: 'STARTED_AT', direction: 'DESC' }] }))).toEqual([
        'epsilon', 'Delta_x', 'gamma 50%', 'beta', 'alpha',
      ]);
    });

    it('orders by metric and by parameter with nulls last in both directions', async () => {
      const order = async (orderBy: ExperimentOrder[]): Promise<(string | null)[]> => names(await list({ orderBy }));
      expect(await order([{ field: 'METRIC', name: 'loss', aggregate: 'LAST', direction: 'ASC' }])).toEqual([
        'beta', 'alpha', 'Delta_x', 'gamma 50%',
      ]);
      expect(await order([{ field: 'METRIC', name: 'loss', aggregate: 'MIN', direction: 'DESC' }])).toEqual([
        'alpha', 'beta', 'Delta_x', 'gamma 50%',
      ]);
      expect(await order([{ field: 'PARAMETER', name: 'lr', direction: 'ASC' }])).toEqual(['alpha', 'gamma 50%', 'beta', 'Delta_x']);
      expect(await order([{ field: 'PARAMETER', name: 'lr', direction: 'DESC' }])).toEqual(['beta', 'gamma 50%', 'alpha', 'Delta_x']);
      expect(await order([{ field: 'PARAMETER', name: 'opt', direction: 'ASC' }, { field: 'NAME', direction: 'DESC' }])).toEqual([
        'gamma 50%', 'alpha', 'beta', 'Delta_x',
      ]);
      expect(await order([{ field: 'NAME', direction: 'ASC' }])).toEqual(['alpha', 'beta', 'Delta_x', 'gamma 50%']);
    });

    it('breaks ties by experiment key so pages never overlap', async () => {
      const project = { workspace: WORKSPACE, name: fixture.project };
      const orderBy: ExperimentOrder[] = [{ field: 'PARAMETER', name: 'opt', direction: 'ASC' }];
      const seen: string[] = [];
      let after: string | null = null;
      for (;;) {
        const page = await backend().experiments.list(CALLER, { project, orderBy, page: { first: 1, after } });
        expect(page.totalCount).toBe(4);
        seen.push(...page.items.map((item) => item.key));
        if (!page.hasNextPage) break;
        after = page.cursors[0];
      }
      const adam = [fixture.keys.alpha, fixture.keys['gamma 50%']].sort();
      expect(seen).toEqual([...adam, fixture.keys.beta, fixture.keys.Delta_x]);
    });

    it('gives an empty page for a project that does not exist', async () => {
      const page = await backend().experiments.list(CALLER, { project: { workspace: WORKSPACE, name: `${fixture.project}-none` }, page: { first: 5 } });
      expect(page).toMatchObject({ items: [], totalCount: 0, hasNextPage: false });
    });
  });
}
