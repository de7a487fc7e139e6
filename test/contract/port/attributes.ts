/** Contract: parameters, tags and `log_other` entries. */
import type { Capabilities } from '../../../src/backends/port';
import { CALLER, expectCode, itWhen, newExperiment, uniqueProject, type GetBackend } from './support';

export function describeAttributes(backend: GetBackend, capabilities: Capabilities): void {
  describe('parameters, tags and others', () => {
    itWhen(capabilities, (c) => c.attributes.overwriteParameters, 'attributes.overwriteParameters', 'sets and overwrites parameters, read back ordered by name, per key in key order', async () => {
      const project = uniqueProject();
      const a = await newExperiment(backend(), project);
      const b = await newExperiment(backend(), project);
      await backend().attributes.logParameters(CALLER, a.key, [{ name: 'lr', value: '0.1' }, { name: 'batch', value: '32' }]);
      await backend().attributes.logParameters(CALLER, a.key, [{ name: 'lr', value: '0.01' }]);
      const result = await backend().attributes.parameters(CALLER, [b.key, a.key, 'e'.repeat(32), a.key]);
      expect(result).toEqual([
        [],
        [{ name: 'batch', value: '32' }, { name: 'lr', value: '0.01' }],
        [],
        [{ name: 'batch', value: '32' }, { name: 'lr', value: '0.01' }],
      ]);
    });

    if (!capabilities.attributes.overwriteParameters) {
      it('writes parameters once: the same value again is taken, a changed one refused and the stored one kept', async () => {
        const { key } = await newExperiment(backend(), uniqueProject());
        await backend().attributes.logParameters(CALLER, key, [{ name: 'lr', value: '0.1' }, { name: 'batch', value: '32' }]);
        await backend().attributes.logParameters(CALLER, key, [{ name: 'lr', value: '0.1' }]);
        await expect(backend().attributes.logParameters(CALLER, key, [{ name: 'lr', value: '0.01' }]))
          .rejects.toMatchObject({ code: 'BAD_USER_INPUT', extensions: { reason: 'PARAMETER_WRITE_ONCE' } });
        expect(await backend().attributes.parameters(CALLER, [key])).toEqual([[{ name: 'batch', value: '32' }, { name: 'lr', value: '0.1' }]]);
      });
    }

    it('writes parameters all or none, and NOT_FOUND for an unknown experiment', async () => {
      const { key } = await newExperiment(backend(), uniqueProject());
      await expectCode(backend().attributes.logParameters(CALLER, key, [{ name: 'ok', value: '1' }, { name: ' ', value: '2' }]), 'BAD_USER_INPUT');
      expect(await backend().attributes.parameters(CALLER, [key])).toEqual([[]]);
      await expectCode(backend().attributes.logParameters(CALLER, 'a'.repeat(32), [{ name: 'x', value: '1' }]), 'NOT_FOUND');
    });

    it('adds tags idempotently and returns the sorted tags after each change', async () => {
      const { key } = await newExperiment(backend(), uniqueProject(), { tags: ['keep'] });
      expect(await backend().attributes.addTags(CALLER, key, ['zeta', 'alpha', 'alpha'])).toEqual(['alpha', 'keep', 'zeta']);
      expect(await backend().attributes.addTags(CALLER, key, ['alpha'])).toEqual(['alpha', 'keep', 'zeta']);
      expect(await backend().attributes.tags(CALLER, [key, 'b'.repeat(32)])).toEqual([['alpha', 'keep', 'zeta'], []]);
      await expectCode(backend().attributes.addTags(CALLER, 'b'.repeat(32), ['x']), 'NOT_FOUND');
    });

    itWhen(capabilities, (c) => c.attributes.removeTags, 'attributes.removeTags', 'removes tags idempotently and returns the sorted tags after the change', async () => {
      const { key } = await newExperiment(backend(), uniqueProject(), { tags: ['keep', 'zeta'] });
      expect(await backend().attributes.removeTags(CALLER, key, ['zeta', 'missing'])).toEqual(['keep']);
      expect(await backend().attributes.tags(CALLER, [key])).toEqual([['keep']]);
      await expectCode(backend().attributes.removeTags(CALLER, 'b'.repeat(32), ['x']), 'NOT_FOUND');
    });

    if (!capabilities.attributes.removeTags) {
      it('refuses removeTags as unsupported and keeps the tags, where the capability is false', async () => {
        const { key } = await newExperiment(backend(), uniqueProject(), { tags: ['keep'] });
        await expectCode(backend().attributes.removeTags(CALLER, key, ['keep']), 'BAD_USER_INPUT');
        expect(await backend().attributes.tags(CALLER, [key])).toEqual([['keep']]);
      });
    }

    it('sets and overwrites others, ordered by key', async () => {
      const { key } = await newExperiment(backend(), uniqueProject());
      await backend().attributes.logOthers(CALLER, key, [{ key: 'host', value: 'a' }, { key: 'git', value: 'abc' }]);
      await backend().attributes.logOthers(CALLER, key, [{ key: 'host', value: 'b' }]);
      expect(await backend().attributes.others(CALLER, [key, key])).toEqual([
        [{ key: 'git', value: 'abc' }, { key: 'host', value: 'b' }],
        [{ key: 'git', value: 'abc' }, { key: 'host', value: 'b' }],
      ]);
    });
  });
}
