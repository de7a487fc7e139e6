/** The demo data fills every run-page field for a few runs, so a newcomer sees them in the IDE. */
import { rmSync } from 'node:fs';
import { createSqliteBackend } from '../../src/backends/sqlite';
import type { Backend, Page, OutputLine } from '../../src/backends/port';
import { DEMO_WORKSPACE, seedDemo } from '../../src/demo';
import { ANONYMOUS } from '../../src/server/identity';
import { tempDir } from '../support/gateway';

describe('demo data', () => {
  let dir: string;
  let backend: Backend;
  beforeAll(async () => {
    dir = tempDir('trackql-demo-');
    backend = createSqliteBackend({ dataDir: dir });
    expect(await seedDemo(backend)).toBe(true);
  });
  afterAll(async () => {
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives three runs every detail, and each project notes', async () => {
    const keys: string[] = [];
    for (const name of ['image-classification', 'text-sentiment']) {
      const page = await backend.experiments.list(ANONYMOUS, { project: { workspace: DEMO_WORKSPACE, name }, page: { first: 100 } });
      keys.push(...page.items.map((e) => e.key));
    }
    const details = await backend.details.get(ANONYMOUS, keys);
    const full = keys.filter((_, i) => {
      const d = details[i];
      return d && !(d instanceof Error) && d.code && d.html && d.modelGraph && d.git && d.systemDetails && (d.dependencies ?? []).length > 0;
    });
    expect(full).toHaveLength(3);
    const [curves] = await backend.details.curves(ANONYMOUS, [full[0]]);
    expect((curves as unknown[]).length).toBe(2);
    const [output] = await backend.details.output(ANONYMOUS, [{ experimentKey: full[0], first: 100 }]);
    expect((output as Page<OutputLine>).items.map((l) => l.stream)).toContain('STDERR');
    const [summaries] = await backend.metrics.summaries(ANONYMOUS, [full[0]], ['epoch_loss']);
    expect((summaries as { context: string | null }[]).map((s) => s.context)).toEqual(['train', 'validate']);
    const [patches] = await backend.assets.list(ANONYMOUS, [{ experimentKey: full[0], type: 'git-patch', first: 10 }]);
    expect((patches as Page<unknown>).totalCount).toBe(1);
    const notes = await backend.details.projectNotes(ANONYMOUS, [{ workspace: DEMO_WORKSPACE, name: 'image-classification' }, { workspace: DEMO_WORKSPACE, name: 'text-sentiment' }]);
    expect(notes.every((n) => typeof n === 'string' && n.length > 0)).toBe(true);
  });
});
