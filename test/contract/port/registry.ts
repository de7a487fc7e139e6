/** Contract: the model registry (register, children, versions, aliases). */
import type { Backend, Capabilities, ModelVersion } from '../../../src/backends/port';
import { CALLER, WORKSPACE, bodyOf, expectCode, itWhen, newExperiment, uniqueProject, type GetBackend } from './support';

async function withModel(backend: Backend, project: string, modelName: string, parentKey?: string): Promise<string> {
  const { key } = await newExperiment(backend, project, { parentKey });
  await backend.assets.put(CALLER, { experimentKey: key, fileName: 'w.bin', type: 'model-element', modelName, maxBytes: 1_000 }, bodyOf(key));
  return key;
}

const versionNames = (versions: ModelVersion[]): string[] => versions.map((version) => version.version);

export function describeRegistry(backend: GetBackend, capabilities: Capabilities): void {
  describe('model registry', () => {
    it('registers an experiment model as the first version of a new registered model', async () => {
      const project = uniqueProject();
      const key = await withModel(backend(), project, 'net');
      const registryName = `reg-${project}`;
      const { model, versions } = await backend().registry.register(CALLER, {
        experimentKey: key,
        experimentModelName: 'net',
        registryName: `  ${registryName} `,
        version: '1.0.0',
        description: 'desc',
        stage: 'staging',
        tags: ['t1'],
        comment: 'first',
      });
      expect(model).toMatchObject({ workspace: WORKSPACE, name: registryName, description: 'desc' });
      expect(versions).toEqual([
        expect.objectContaining({ version: '1.0.0', stage: 'staging', tags: ['t1'], aliases: [], comment: 'first', experimentKey: key, experimentModelName: 'net' }),
      ]);
      const [missing, found] = await backend().registry.models(CALLER, [
        { workspace: WORKSPACE, name: `${registryName}-x` },
        { workspace: WORKSPACE, name: registryName },
      ]);
      expect(missing).toBeNull();
      expect(found).toMatchObject({ id: model.id });
      const page = await backend().registry.list(CALLER, WORKSPACE, { first: 1000 });
      expect(page.items.map((item) => item.name)).toContain(registryName);
    });

    it('adds versions newest first and rejects a version that exists with BAD_USER_INPUT', async () => {
      const project = uniqueProject();
      const key = await withModel(backend(), project, 'net');
      const registryName = `reg-${project}`;
      const input = { experimentKey: key, experimentModelName: 'net', registryName };
      await backend().registry.register(CALLER, { ...input, version: '1.0.0' });
      await backend().registry.register(CALLER, { ...input, version: '2.0.0' });
      await expectCode(backend().registry.register(CALLER, { ...input, version: '1.0.0' }), 'BAD_USER_INPUT');
      const [versions, none] = await backend().registry.versions(CALLER, [
        { workspace: WORKSPACE, name: registryName },
        { workspace: WORKSPACE, name: `${registryName}-none` },
      ]);
      expect(versionNames(versions as ModelVersion[])).toEqual(['2.0.0', '1.0.0']);
      expect(none).toEqual([]);
    });

    it('rejects registering a model the experiment does not have with NOT_FOUND', async () => {
      const project = uniqueProject();
      const key = await withModel(backend(), project, 'net');
      await expectCode(
        backend().registry.register(CALLER, { experimentKey: key, experimentModelName: 'other', registryName: `reg-${project}`, version: '1.0.0' }),
        'NOT_FOUND',
      );
      await expectCode(
        backend().registry.register(CALLER, { experimentKey: '7'.repeat(32), experimentModelName: 'net', registryName: `reg-${project}`, version: '1.0.0' }),
        'NOT_FOUND',
      );
    });

    it('registers the same-named models of child runs, recursively, as further versions', async () => {
      const project = uniqueProject();
      const root = await withModel(backend(), project, 'net');
      const child = await withModel(backend(), project, 'net', root);
      const grandchild = await withModel(backend(), project, 'net', child);
      await withModel(backend(), project, 'other-model', root);
      const { versions } = await backend().registry.register(CALLER, {
        experimentKey: root,
        experimentModelName: 'net',
        registryName: `reg-${project}`,
        version: '1.2.0',
        includeChildren: true,
      });
      expect(versions.map((version) => [version.version, version.experimentKey])).toEqual([
        ['1.2.0', root],
        ['1.2.1', child],
        ['1.2.2', grandchild],
      ]);
    });

    itWhen(capabilities, (c) => c.registry.aliases, 'registry.aliases', 'updates a version and moves an alias from the version that held it', async () => {
      const project = uniqueProject();
      const key = await withModel(backend(), project, 'net');
      const registryName = `reg-${project}`;
      const input = { experimentKey: key, experimentModelName: 'net', registryName };
      await backend().registry.register(CALLER, { ...input, version: '1.0.0' });
      await backend().registry.register(CALLER, { ...input, version: '1.1.0' });
      const ref = { workspace: WORKSPACE, modelName: registryName };
      const v1 = await backend().registry.updateVersion(CALLER, { ...ref, version: '1.0.0', addAliases: ['prod', 'champion'], stage: 'production', tags: ['x'], comment: 'ok' });
      expect(v1).toMatchObject({ aliases: ['champion', 'prod'], stage: 'production', tags: ['x'], comment: 'ok' });
      const v2 = await backend().registry.updateVersion(CALLER, { ...ref, version: '1.1.0', addAliases: ['prod'] });
      expect(v2.aliases).toEqual(['prod']);
      const [versions] = (await backend().registry.versions(CALLER, [{ workspace: WORKSPACE, name: registryName }])) as ModelVersion[][];
      const byVersion = new Map(versions.map((version) => [version.version, version]));
      expect(byVersion.get('1.0.0')).toMatchObject({ aliases: ['champion'], stage: 'production' });
      expect(byVersion.get('1.1.0')?.aliases).toEqual(['prod']);
      const removed = await backend().registry.updateVersion(CALLER, { ...ref, version: '1.0.0', removeAliases: ['champion'] });
      expect(removed).toMatchObject({ aliases: [], stage: 'production', comment: 'ok' });
      await expectCode(backend().registry.updateVersion(CALLER, { ...ref, version: '9.9.9', stage: 'x' }), 'NOT_FOUND');
      await expectCode(backend().registry.updateVersion(CALLER, { ...ref, modelName: `${registryName}-none`, version: '1.0.0' }), 'NOT_FOUND');
    });

    if (!capabilities.registry.aliases) {
      it('refuses aliases as unsupported and leaves the version as it was, where the capability is false', async () => {
        const project = uniqueProject();
        const key = await withModel(backend(), project, 'net');
        const registryName = `reg-${project}`;
        await backend().registry.register(CALLER, { experimentKey: key, experimentModelName: 'net', registryName, version: '1.0.0' });
        const ref = { workspace: WORKSPACE, modelName: registryName, version: '1.0.0' };
        await expectCode(backend().registry.updateVersion(CALLER, { ...ref, addAliases: ['prod'] }), 'BAD_USER_INPUT');
        const [versions] = (await backend().registry.versions(CALLER, [{ workspace: WORKSPACE, name: registryName }])) as ModelVersion[][];
        expect(versions.map((v) => v.aliases)).toEqual([[]]);
      });
    }
  });
}
