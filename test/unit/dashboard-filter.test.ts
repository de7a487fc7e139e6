/** The runs table's filter language compiles to the schema's ExperimentFilterInput, or says what is wrong. */
import { FilterError, parseFilter } from '../../web/src/filter';

describe('the dashboard filter language', () => {
  it('reads an empty text as no filter', () => {
    expect(parseFilter('   ')).toBeNull();
  });

  it('compiles field terms', () => {
    expect(parseFilter('tag:best')).toEqual({ tag: 'best' });
    expect(parseFilter('tag:"fine tune"')).toEqual({ tag: 'fine tune' });
    expect(parseFilter('status:running,FAILED')).toEqual({ status: ['RUNNING', 'FAILED'] });
    expect(parseFilter('name:resnet')).toEqual({ nameContains: 'resnet' });
    expect(parseFilter('archived:true')).toEqual({ archived: true });
    expect(parseFilter('after:2026-01-31')).toEqual({ startedAfter: '2026-01-31T00:00:00.000Z' });
  });

  it('compiles metric comparisons with an optional aggregate, and parameter comparisons as strings', () => {
    expect(parseFilter('loss < 0.5')).toEqual({ metric: { name: 'loss', aggregate: 'LAST', op: 'LT', value: 0.5 } });
    expect(parseFilter('train/acc.max>=0.9')).toEqual({ metric: { name: 'train/acc', aggregate: 'MAX', op: 'GTE', value: 0.9 } });
    expect(parseFilter('param.optimizer != adam')).toEqual({ parameter: { name: 'optimizer', op: 'NE', value: 'adam' } });
    expect(parseFilter('param.lr == 1e-3')).toEqual({ parameter: { name: 'lr', op: 'EQ', value: '1e-3' } });
  });

  it('combines terms with and (also side by side), or, not and parentheses, and before or', () => {
    expect(parseFilter('loss < 0.5 and (tag:best or not status:FAILED)')).toEqual({
      and: [
        { metric: { name: 'loss', aggregate: 'LAST', op: 'LT', value: 0.5 } },
        { or: [{ tag: 'best' }, { not: { status: ['FAILED'] } }] },
      ],
    });
    expect(parseFilter('tag:a tag:b OR tag:c')).toEqual({ or: [{ and: [{ tag: 'a' }, { tag: 'b' }] }, { tag: 'c' }] });
  });

  it.each([
    ['loss <', "Expected a value after '<' at the end"],
    ['loss < fast', "Metric loss compares to a number, got 'fast'"],
    ['status:DONE', "status must be one of RUNNING, FINISHED, FAILED, CRASHED, got 'DONE'"],
    ['colour:red', "Unknown field 'colour:' (use tag:, status:, name:, archived:, after:, before:)"],
    ['(tag:a', "Expected ')' to close the '(' at character 1"],
    ['tag:a )', "Unexpected ')' at character 7"],
    ['loss', "Expected a comparison after 'loss' (for example loss < 0.5), or a term like tag:loss"],
    ['after:someday', "after: needs a date such as 2026-01-31, got 'someday'"],
    ['not not not not not not not not not tag:a', 'Filters nest at most 8 levels deep'],
  ])('refuses %j with a message saying what was expected', (text, message) => {
    expect(() => parseFilter(text)).toThrow(new FilterError(message));
  });
});
