/** Contract: parameters, tags and `log_other` entries. */
import { CALLER, expectCode, newExperiment, uniqueProject, type GetBackend } from './support';

export function describeAttributes(backend: GetBackend): void {
  describe('parameters, tags and others', () => {
    it('sets and overwrites parameters, read back ordered by name, per key in key order', async () => {
      const project = uniqueProject();
      const a = await newExperiment(backend(), project);
      const b = await newExperiment(backend(), project);
      await backend().logParameters(CALLER, a.key, [{ name: 'lr', value: '0.1' }, { name: 'batch', value: '32' }]);
      await backend().logParameters(CALLER, a.key, [{ name: 'lr', value: '0.01' }]);
      const result = await backend().getParameters(CALLER, [b.key, a.key, 'e'.repeat(32), a.key]);
      expect(result).toEqual([
        [],
        [{ name: 'batch', value: '32' }, { name: 'lr', value: '0.01' }],
        [],
        [{ name: 'batch', value: '32' }, { name: 'lr', value: '0.01' }],
      ]);
    });

    it('writes parameters all or none, and NOT_FOUND for an unknown experiment', async () => {
      const { key } = await newExperiment(backend(), uniqueProject());
      await expectCode(backend().logParameters(CALLER, key, [{ name: 'ok', value: '1' }, { name: ' ', value: '2' }]), 'BAD_USER_INPUT');
      expect(await backend().getParameters(CALLER, [key])).toEqual([[]]);
      await expectCode(backend().logParameters(CALLER, 'a'.repeat(32), [{ name: 'x', value: '1' }]), 'NOT_FOUND');
    });

    it('adds and removes tags idempotently and returns the sorted tags after each change', async () => {
      const { key } = await newExperiment(backend(), uniqueProject(), { tags: ['keep'] });
      expect(await backend().addTags(CALLER, key, ['zeta', 'alpha', 'alpha'])).toEqual(['alpha', 'keep', 'zeta']);
      expect(await backend().addTags(CALLER, key, ['alpha'])).toEqual(['alpha', 'keep', 'zeta']);
      if (backend().capabilities().removeTags) {
        expect(await backend().removeTags(CALLER, key, ['zeta', 'missing'])).toEqual(['alpha', 'keep']);
      }
      expect(await backend().getTags(CALLER, [key, 'b'.repeat(32)])).toEqual([expect.arrayContaining(['alpha', 'keep']), []]);
      await expectCode(backend().addTags(CALLER, 'b'.repeat(32), ['x']), 'NOT_FOUND');
    });

    it('sets and overwrites others, ordered by key', async () => {
      const { key } = await newExperiment(backend(), uniqueProject());
      await backend().logOthers(CALLER, key, [{ key: 'host', value: 'a' }, { key: 'git', value: 'abc' }]);
      await backend().logOthers(CALLER, key, [{ key: 'host', value: 'b' }]);
      expect(await backend().getOthers(CALLER, [key, key])).toEqual([
        [{ key: 'git', value: 'abc' }, { key: 'host', value: 'b' }],
        [{ key: 'git', value: 'abc' }, { key: 'host', value: 'b' }],
      ]);
    });
  });
}
