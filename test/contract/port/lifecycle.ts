/** Contract: renaming and restoring experiments, updating and deleting projects, deleting assets and model versions. */
import type { Capabilities, Page, Asset } from '../../../src/backends/port';
import { CALLER, WORKSPACE, bodyOf, expectCode, itWhen, newExperiment, uniqueProject, type GetBackend } from './support';

const MISSING_KEY = 'e'.repeat(32);
const itemsOf = (slot: Page<Asset> | Error): Asset[] => {
  if (slot instanceof Error) throw slot;
  return slot.items;
};

export function describeLifecycle(backend: GetBackend, capabilities: Capabilities): void {
  describe('lifecycle of experiments, projects, assets and model versions', () => {
    itWhen(capabilities, (c) => c.experiments.rename, 'experiments.rename', 'renames an experiment', async () => {
      const { key } = await newExperiment(backend(), uniqueProject(), { name: 'before' });
      expect(await backend().experiments.update(CALLER, { experimentKey: key, name: 'after' })).toMatchObject({ key, name: 'after' });
      expect((await backend().experiments.get(CALLER, [key]))[0]).toMatchObject({ name: 'after' });
      await expectCode(backend().experiments.update(CALLER, { experimentKey: MISSING_KEY, name: 'x' }), 'NOT_FOUND');
    });

    if (!capabilities.experiments.rename) {
      it('refuses a rename as unsupported and keeps the name, where the capability is false', async () => {
        const { key } = await newExperiment(backend(), uniqueProject(), { name: 'before' });
        await expect(backend().experiments.update(CALLER, { experimentKey: key, name: 'after' })).rejects.toMatchObject({ code: 'BAD_USER_INPUT', extensions: { reason: 'UNSUPPORTED' } });
        expect((await backend().experiments.get(CALLER, [key]))[0]).toMatchObject({ name: 'before' });
      });
    }

    it('restores an archived experiment into the listing', async () => {
      const project = uniqueProject();
      const { key } = await newExperiment(backend(), project);
      await backend().experiments.archive(CALLER, key);
      expect(await backend().experiments.restore(CALLER, key)).toMatchObject({ key, archived: false });
      const page = await backend().experiments.list(CALLER, { project: { workspace: WORKSPACE, name: project }, page: { first: 10 } });
      expect(page.items.map((e) => e.key)).toEqual([key]);
      await expectCode(backend().experiments.restore(CALLER, MISSING_KEY), 'NOT_FOUND');
    });

    if (!capabilities.projects.editAttributes) {
      it('renames a project, and refuses a description or visibility change as unsupported, where the capability is false', async () => {
        const project = uniqueProject();
        await backend().projects.create(CALLER, { workspace: WORKSPACE, name: project, description: 'old' });
        await expect(backend().projects.update(CALLER, { workspace: WORKSPACE, name: project, description: 'new' })).rejects.toMatchObject({ extensions: { reason: 'UNSUPPORTED' } });
        const renamed = `${project}-new`;
        expect(await backend().projects.update(CALLER, { workspace: WORKSPACE, name: project, newName: renamed })).toMatchObject({ name: renamed, description: 'old' });
        expect(await backend().projects.get(CALLER, [{ workspace: WORKSPACE, name: project }])).toEqual([null]);
      });
    }

    itWhen(capabilities, (c) => c.projects.editAttributes, 'projects.editAttributes', 'renames a project and changes its description and visibility; a taken name is refused', async () => {
      const project = uniqueProject();
      const taken = uniqueProject('taken');
      await backend().projects.create(CALLER, { workspace: WORKSPACE, name: project, description: 'old' });
      await backend().projects.create(CALLER, { workspace: WORKSPACE, name: taken });
      await expectCode(backend().projects.update(CALLER, { workspace: WORKSPACE, name: project, newName: taken }), 'BAD_USER_INPUT');
      const renamed = `${project}-new`;
      const updated = await backend().projects.update(CALLER, { workspace: WORKSPACE, name: project, newName: renamed, description: 'new', isPublic: true });
      expect(updated).toMatchObject({ workspace: WORKSPACE, name: renamed, description: 'new', isPublic: true });
      const [gone, found] = await backend().projects.get(CALLER, [{ workspace: WORKSPACE, name: project }, { workspace: WORKSPACE, name: renamed }]);
      expect(gone).toBeNull();
      expect(found).toMatchObject({ name: renamed, description: 'new', isPublic: true });
      await expectCode(backend().projects.update(CALLER, { workspace: WORKSPACE, name: uniqueProject('missing'), description: 'x' }), 'NOT_FOUND');
    });

    it('refuses to delete a project holding experiments unless forced, then deletes it with them', async () => {
      const project = uniqueProject();
      const { key } = await newExperiment(backend(), project);
      const archived = await newExperiment(backend(), project);
      await backend().experiments.archive(CALLER, archived.key);
      const ref = { workspace: WORKSPACE, name: project };
      await expect(backend().projects.delete(CALLER, ref)).rejects.toMatchObject({ code: 'BAD_USER_INPUT', extensions: { reason: 'NOT_EMPTY' } });
      expect((await backend().experiments.get(CALLER, [key]))[0]).toMatchObject({ key });
      expect(await backend().projects.delete(CALLER, { ...ref, force: true })).toEqual({ deletedExperiments: 2 });
      expect(await backend().projects.get(CALLER, [ref])).toEqual([null]);
      expect(await backend().experiments.get(CALLER, [key, archived.key])).toEqual([null, null]);
      await expectCode(backend().projects.delete(CALLER, ref), 'NOT_FOUND');
    });

    it('deletes an empty project without force', async () => {
      const project = uniqueProject();
      await backend().projects.create(CALLER, { workspace: WORKSPACE, name: project });
      expect(await backend().projects.delete(CALLER, { workspace: WORKSPACE, name: project })).toEqual({ deletedExperiments: 0 });
    });

    it('deletes one asset and leaves the others; a second delete is NOT_FOUND', async () => {
      const { key } = await newExperiment(backend(), uniqueProject());
      const gone = await backend().assets.put(CALLER, { experimentKey: key, fileName: 'a.txt', type: 'asset', maxBytes: 100 }, bodyOf('aaa'));
      const kept = await backend().assets.put(CALLER, { experimentKey: key, fileName: 'b.txt', type: 'asset', maxBytes: 100 }, bodyOf('bbb'));
      await backend().assets.delete(CALLER, key, gone.assetId);
      expect(itemsOf((await backend().assets.list(CALLER, [{ experimentKey: key, first: 10 }]))[0]).map((a) => a.assetId)).toEqual([kept.assetId]);
      expect(await backend().assets.get(CALLER, [{ experimentKey: key, assetId: gone.assetId }])).toEqual([null]);
      await expectCode(backend().assets.delete(CALLER, key, gone.assetId), 'NOT_FOUND');
    });

    it('deletes one version of a registered model; a missing version is NOT_FOUND', async () => {
      const { key } = await newExperiment(backend(), uniqueProject());
      await backend().assets.put(CALLER, { experimentKey: key, fileName: 'w.bin', type: 'model-element', modelName: 'net', maxBytes: 100 }, bodyOf('w'));
      const name = `reg-${uniqueProject()}`;
      await backend().registry.register(CALLER, { experimentKey: key, experimentModelName: 'net', registryName: name, version: '1.0.0' });
      await backend().registry.register(CALLER, { experimentKey: key, experimentModelName: 'net', registryName: name, version: '2.0.0' });
      await backend().registry.deleteVersion(CALLER, { workspace: WORKSPACE, modelName: name, version: '1.0.0' });
      const [versions] = await backend().registry.versions(CALLER, [{ workspace: WORKSPACE, name }]);
      if (versions instanceof Error) throw versions;
      expect(versions.map((v) => v.version)).toEqual(['2.0.0']);
      await expectCode(backend().registry.deleteVersion(CALLER, { workspace: WORKSPACE, modelName: name, version: '1.0.0' }), 'NOT_FOUND');
    });
  });
}
