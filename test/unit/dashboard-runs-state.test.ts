/** The runs table's state survives a trip through the URL, and becomes the schema's orderBy. */
import { orderBy, parseRunsState, runsParams, type RunsState } from '../../web/src/views/runs-state';

const toUrl = (state: RunsState) => {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(runsParams(state))) if (v) params.set(k, v);
  return params;
};

describe('the runs table state in the URL', () => {
  it('round-trips filter, sort, page, columns and selection, names with odd characters included', () => {
    const state: RunsState = {
      q: 'loss < 0.5 and tag:"a b"',
      sort: { field: 'METRIC', name: 'val/loss:x,y', aggregate: 'MIN', direction: 'DESC' },
      n: 100,
      after: 'cursor==',
      cols: [{ kind: 'param', name: 'lr,1' }, { kind: 'metric', name: 'acc:top-1' }],
      sel: ['a1', 'b2'],
    };
    expect(parseRunsState(new URLSearchParams(toUrl(state).toString()))).toEqual(state);
  });

  it('keeps an explicit empty column choice apart from the default columns', () => {
    const none = parseRunsState(toUrl({ ...parseRunsState(new URLSearchParams()), cols: [] }));
    expect(none.cols).toEqual([]);
    expect(parseRunsState(new URLSearchParams()).cols).toBeNull();
  });

  it('falls back to defaults for values it does not know, and caps the selection at 50', () => {
    const state = parseRunsState(new URLSearchParams({ n: '7', sort: 'COLOUR:ASC', sel: Array.from({ length: 60 }, (_, i) => `k${i}`).join(',') }));
    expect(state.n).toBe(25);
    expect(state.sort).toBeNull();
    expect(state.sel).toHaveLength(50);
  });

  it('turns each sort into the schema orderBy', () => {
    expect(orderBy(null)).toBeUndefined();
    expect(orderBy({ field: 'NAME', direction: 'ASC' })).toEqual([{ field: 'NAME', direction: 'ASC' }]);
    expect(orderBy({ field: 'PARAMETER', name: 'lr', direction: 'DESC' })).toEqual([{ field: 'PARAMETER', parameter: 'lr', direction: 'DESC' }]);
    expect(orderBy({ field: 'METRIC', name: 'loss', aggregate: 'MAX', direction: 'ASC' })).toEqual([{ field: 'METRIC', metric: 'loss', aggregate: 'MAX', direction: 'ASC' }]);
  });
});
