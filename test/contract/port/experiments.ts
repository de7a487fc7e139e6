/** Contract: workspaces, projects and the experiment lifecycle. */
import { CALLER, WORKSPACE, expectCode, isSorted, newExperiment, uniqueProject, type GetBackend } from './support';

const HEX_KEY = /^[0-9a-f]{32}$/;

export function describeProjectsAndExperiments(backend: GetBackend): void {
  describe('projects and workspaces', () => {
    it('creates a project and reads it back by ref, null for a missing ref, in ref order', async () => {
      const name = uniqueProject();
      const created = await backend().projects.create(CALLER, { workspace: WORKSPACE, name, description: 'd', isPublic: true });
      expect(created).toMatchObject({ workspace: WORKSPACE, name, description: 'd', isPublic: true, experimentCount: 0 });
      const [missing, found, again] = await backend().projects.get(CALLER, [
        { workspace: WORKSPACE, name: `${name}-missing` },
        { workspace: WORKSPACE, name },
        { workspace: WORKSPACE, name },
      ]);
      expect(missing).toBeNull();
      expect(found).toMatchObject({ id: created.id, name });
      expect(again).toEqual(found);
    });

    it('rejects creating a project whose name is taken with BAD_USER_INPUT', async () => {
      const name = uniqueProject();
      await backend().projects.create(CALLER, { workspace: WORKSPACE, name });
      await expectCode(backend().projects.create(CALLER, { workspace: WORKSPACE, name }), 'BAD_USER_INPUT');
    });

    it('creates the project on the fly when an experiment is logged to a new project', async () => {
      const project = uniqueProject();
      const experiment = await backend().experiments.create(CALLER, { workspace: WORKSPACE, project });
      expect(experiment).toMatchObject({ workspace: WORKSPACE, project });
      const [found] = await backend().projects.get(CALLER, [{ workspace: WORKSPACE, name: project }]);
      expect(found).toMatchObject({ id: experiment.projectId, experimentCount: 1 });
      expect((await backend().projects.listWorkspaces(CALLER)).map((ws) => ws.name)).toContain(WORKSPACE);
      const [ws, none] = await backend().projects.getWorkspaces(CALLER, [WORKSPACE, `${WORKSPACE}-${project}`]);
      expect(ws).toMatchObject({ name: WORKSPACE });
      expect(none).toBeNull();
    });

    it('lists projects in pages that cover each project once, by name, with an exact totalCount', async () => {
      const prefix = uniqueProject('page');
      const mine = ['c', 'a', 'e', 'b', 'd'].map((suffix) => `${prefix}-${suffix}`);
      for (const name of mine) await backend().projects.create(CALLER, { workspace: WORKSPACE, name });
      const seen: string[] = [];
      let after: string | null = null;
      let totalCount = -1;
      for (;;) {
        const page = await backend().projects.list(CALLER, WORKSPACE, { first: 2, after });
        expect(page.cursors).toHaveLength(page.items.length);
        expect(page.items.length).toBeLessThanOrEqual(2);
        totalCount = page.totalCount;
        seen.push(...page.items.map((project) => project.name));
        if (!page.hasNextPage) break;
        after = page.cursors[page.cursors.length - 1];
      }
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen).toHaveLength(totalCount);
      expect(seen.filter((name) => name.startsWith(prefix))).toEqual([...mine].sort());
    });

    it('counts only non-archived experiments in experimentCount', async () => {
      const project = uniqueProject();
      const kept = await newExperiment(backend(), project);
      const archived = await newExperiment(backend(), project);
      await backend().experiments.archive(CALLER, archived.key);
      const [found] = await backend().projects.get(CALLER, [{ workspace: WORKSPACE, name: project }]);
      expect(found).toMatchObject({ experimentCount: 1 });
      expect(kept.archived).toBe(false);
    });
  });

  describe('experiments', () => {
    it('creates a RUNNING experiment with a 32-hex key, its tags and parameters', async () => {
      const project = uniqueProject();
      const experiment = await newExperiment(backend(), project, {
        name: 'baseline',
        tags: ['b', 'a'],
        parameters: [{ name: 'lr', value: '0.1' }],
        startedAt: 1_700_000_000_000,
      });
      expect(experiment.key).toMatch(HEX_KEY);
      expect(experiment).toMatchObject({
        workspace: WORKSPACE,
        project,
        name: 'baseline',
        status: 'RUNNING',
        startedAt: 1_700_000_000_000,
        endedAt: null,
        archived: false,
        parentKey: null,
      });
      expect(await backend().attributes.tags(CALLER, [experiment.key])).toEqual([['a', 'b']]);
      expect(await backend().attributes.parameters(CALLER, [experiment.key])).toEqual([[{ name: 'lr', value: '0.1' }]]);
    });

    it('answers getExperiments in key order, repeating duplicates and with null for missing keys', async () => {
      const project = uniqueProject();
      const a = await newExperiment(backend(), project, { name: 'a' });
      const b = await newExperiment(backend(), project, { name: 'b' });
      const missing = 'f'.repeat(32);
      const result = await backend().experiments.get(CALLER, [b.key, missing, a.key, b.key]);
      expect(result).toEqual([b, null, a, b]);
      expect(await backend().experiments.get(CALLER, [])).toEqual([]);
    });

    it('rejects a parentKey that does not exist with NOT_FOUND and creates nothing', async () => {
      const project = uniqueProject();
      await expectCode(newExperiment(backend(), project, { parentKey: '0'.repeat(32) }), 'NOT_FOUND');
      const page = await backend().experiments.list(CALLER, { project: { workspace: WORKSPACE, name: project }, page: { first: 10 } });
      expect(page.totalCount).toBe(0);
    });

    it('lists children by start time then key, per parent in key order, [] for none', async () => {
      const project = uniqueProject();
      const parent = await newExperiment(backend(), project);
      const late = await newExperiment(backend(), project, { parentKey: parent.key, startedAt: 2_000 });
      const early = await newExperiment(backend(), project, { parentKey: parent.key, startedAt: 1_000 });
      expect(late.parentKey).toBe(parent.key);
      const [leaf, children, unknown] = await backend().experiments.children(CALLER, [early.key, parent.key, 'a'.repeat(32)]);
      expect(leaf).toEqual([]);
      expect(unknown).toEqual([]);
      expect((children as { key: string }[]).map((child) => child.key)).toEqual([early.key, late.key]);
    });

    it('ends an experiment with a status and end time, defaulting the time to now', async () => {
      const project = uniqueProject();
      const a = await newExperiment(backend(), project);
      const b = await newExperiment(backend(), project);
      const ended = await backend().experiments.end(CALLER, { experimentKey: a.key, status: 'FAILED', endedAt: 1_234 });
      expect(ended).toMatchObject({ status: 'FAILED', endedAt: 1_234 });
      const before = Date.now();
      const finished = await backend().experiments.end(CALLER, { experimentKey: b.key, status: 'FINISHED' });
      expect(finished.status).toBe('FINISHED');
      expect(finished.endedAt).toBeGreaterThanOrEqual(before - 1_000);
      await expectCode(backend().experiments.end(CALLER, { experimentKey: '0'.repeat(32), status: 'FINISHED' }), 'NOT_FOUND');
    });

    it('archives an experiment: hidden from listings by default, still readable by key', async () => {
      const project = uniqueProject();
      const experiment = await newExperiment(backend(), project);
      const archived = await backend().experiments.archive(CALLER, experiment.key);
      expect(archived.archived).toBe(true);
      const ref = { workspace: WORKSPACE, name: project };
      expect((await backend().experiments.list(CALLER, { project: ref, page: { first: 10 } })).totalCount).toBe(0);
      const all = await backend().experiments.list(CALLER, { project: ref, page: { first: 10 }, includeArchived: true });
      expect(all.items.map((item) => item.key)).toEqual([experiment.key]);
      expect((await backend().experiments.get(CALLER, [experiment.key]))[0]).toMatchObject({ archived: true });
      await expectCode(backend().experiments.archive(CALLER, '0'.repeat(32)), 'NOT_FOUND');
    });

    it('deletes an experiment with all its data and keeps its children as top-level runs', async () => {
      const project = uniqueProject();
      const parent = await newExperiment(backend(), project, { tags: ['t'], parameters: [{ name: 'p', value: '1' }] });
      const child = await newExperiment(backend(), project, { parentKey: parent.key });
      await backend().metrics.log(CALLER, parent.key, [{ name: 'loss', value: 1, step: 0 }]);
      await backend().attributes.logOthers(CALLER, parent.key, [{ key: 'k', value: 'v' }]);
      await backend().experiments.delete(CALLER, parent.key);
      expect(await backend().experiments.get(CALLER, [parent.key])).toEqual([null]);
      expect(await backend().metrics.summaries(CALLER, [parent.key])).toEqual([[]]);
      expect(await backend().attributes.tags(CALLER, [parent.key])).toEqual([[]]);
      expect(await backend().attributes.parameters(CALLER, [parent.key])).toEqual([[]]);
      expect(await backend().attributes.others(CALLER, [parent.key])).toEqual([[]]);
      const [history] = await backend().metrics.histories(CALLER, [{ experimentKey: parent.key, name: 'loss' }]);
      expect(history).toMatchObject({ points: [], totalCount: 0 });
      expect((await backend().experiments.get(CALLER, [child.key]))[0]).toMatchObject({ parentKey: null });
      await expectCode(backend().experiments.delete(CALLER, parent.key), 'NOT_FOUND');
    });
  });

  describe('capabilities and readiness', () => {
    it('reports its capabilities and is ready', async () => {
      const capabilities = backend().capabilities();
      expect(['sqlite', 'comet', 'mlflow']).toContain(capabilities.backend);
      expect((await backend().readiness()).ready).toBe(true);
    });

    it('keeps listWorkspaces sorted by name', async () => {
      const names = (await backend().projects.listWorkspaces(CALLER)).map((ws) => ws.name);
      expect(isSorted(names, (a, b) => (a < b ? -1 : a > b ? 1 : 0))).toBe(true);
    });
  });
}
