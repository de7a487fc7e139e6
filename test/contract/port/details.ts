/** Contract: run details (code, system, git, HTML, graph, dependencies), output lines, curves, project notes and columns. */
import { MAX_OUTPUT_CHARS, MAX_OUTPUT_LINES, type Capabilities, type IdempotencyClaim, type OutputLine, type Page, type RunDetails } from '../../../src/backends/port';
import { CALLER, WORKSPACE, expectCode, itWhen, newExperiment, uniqueProject, type GetBackend } from './support';

const MISSING_KEY = 'f'.repeat(32);
const lines = (n: number, stream: 'STDOUT' | 'STDERR' = 'STDOUT', prefix = 'line') =>
  Array.from({ length: n }, (_, i) => ({ text: `${prefix} ${i}`, stream, timestamp: 1_700_000_000_000 + i }));
const detailsOf = (slot: RunDetails | Error | null | undefined): RunDetails | null => {
  if (slot instanceof Error) throw slot;
  return slot ?? null;
};
const page = (slot: Page<OutputLine> | Error): Page<OutputLine> => {
  if (slot instanceof Error) throw slot;
  return slot;
};

export function describeDetails(backend: GetBackend, capabilities: Capabilities): void {
  // Every case needs run details at all: skipped, each named, where the backend keeps none.
  const it = (name: string, fn: () => Promise<void>) => itWhen(capabilities, (c) => c.details.supported, 'details.supported', name, fn);
  describe('run details', () => {
    if (!capabilities.details.supported) {
      globalThis.it('refuses every detail read and write as UNSUPPORTED, where the capability is false', async () => {
        const { key } = await newExperiment(backend(), uniqueProject());
        const unsupported = { extensions: { reason: 'UNSUPPORTED' } };
        expect((await backend().details.get(CALLER, [key]))[0]).toMatchObject(unsupported);
        expect((await backend().details.curves(CALLER, [key]))[0]).toMatchObject(unsupported);
        expect((await backend().details.projectNotes(CALLER, [{ workspace: WORKSPACE, name: 'p' }]))[0]).toMatchObject(unsupported);
        await expect(backend().details.update(CALLER, { experimentKey: key, code: 'print(1)' })).rejects.toMatchObject(unsupported);
        await expect(backend().details.appendOutput(CALLER, key, [{ text: 'x', stream: 'STDOUT', timestamp: null }])).rejects.toMatchObject(unsupported);
      });
    }
    it('reads nothing logged as nulls, and a missing experiment as null, in key order', async () => {
      const { key } = await newExperiment(backend(), uniqueProject());
      const [missing, details] = await backend().details.get(CALLER, [MISSING_KEY, key]);
      expect(missing).toBeNull();
      expect(details).toMatchObject({ code: null, systemDetails: null, git: null, html: null, modelGraph: null });
    });

    it('changes only the fields given: code, model graph, git, and system details merged field by field', async () => {
      const { key } = await newExperiment(backend(), uniqueProject());
      const d = backend().details;
      await d.update(CALLER, { experimentKey: key, code: 'print(1)\n', modelGraph: '{"layers":3}', git: { commit: 'abc123', branch: 'main', origin: 'git@example.org:r.git', root: '/src', user: 'ada' } });
      await d.update(CALLER, { experimentKey: key, systemDetails: { hostname: 'gpu-1', pid: 42, command: ['python', 'train.py'], gpus: [{ index: 0, name: 'A100', uuid: 'GPU-1', totalMemory: 80e9 }] } });
      await d.update(CALLER, { experimentKey: key, systemDetails: { pythonVersion: '3.11.4', installedPackages: ['torch==2.1.0'], osPackages: ['libc6'], totalRam: 64e9, additional: [{ key: 'cuda', value: '12.1' }] } });
      const [details] = await d.get(CALLER, [key]);
      expect(details).toMatchObject({
        code: 'print(1)\n', modelGraph: '{"layers":3}', html: null,
        git: { commit: 'abc123', branch: 'main', origin: 'git@example.org:r.git', root: '/src', user: 'ada' },
        systemDetails: {
          hostname: 'gpu-1', pid: 42, command: ['python', 'train.py'], pythonVersion: '3.11.4', totalRam: 64e9,
          gpus: [{ index: 0, name: 'A100', uuid: 'GPU-1', totalMemory: 80e9 }], installedPackages: ['torch==2.1.0'], osPackages: ['libc6'],
          additional: [{ key: 'cuda', value: '12.1' }],
        },
      });
    });

    it('reads only the parts asked for', async () => {
      const { key } = await newExperiment(backend(), uniqueProject());
      await backend().details.update(CALLER, { experimentKey: key, code: 'x = 1', html: '<p>hi</p>' });
      const [details] = await backend().details.get(CALLER, [key], { parts: ['code'] });
      expect(details).toMatchObject({ code: 'x = 1' });
    });

    it('replaces or appends HTML, and keeps scripts as data', async () => {
      const { key } = await newExperiment(backend(), uniqueProject());
      const script = '<script>alert(document.cookie)</script><img src=x onerror="fetch(1)">';
      await backend().details.update(CALLER, { experimentKey: key, html: '<b>a</b>' });
      await backend().details.update(CALLER, { experimentKey: key, html: script, htmlMode: 'APPEND' });
      expect((await backend().details.get(CALLER, [key]))[0]).toMatchObject({ html: `<b>a</b>${script}` });
      await backend().details.update(CALLER, { experimentKey: key, html: '<i>c</i>', htmlMode: 'REPLACE' });
      expect((await backend().details.get(CALLER, [key]))[0]).toMatchObject({ html: '<i>c</i>' });
    });

    it('keeps every character of binary-looking code, and refuses text that cannot round-trip', async () => {
      const { key } = await newExperiment(backend(), uniqueProject());
      const binary = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join('') + '\u{1F600}\uFFFF';
      await backend().details.update(CALLER, { experimentKey: key, code: binary });
      expect(detailsOf((await backend().details.get(CALLER, [key]))[0])?.code).toBe(binary);
      await expectCode(backend().details.update(CALLER, { experimentKey: key, code: 'a\uD800b' }), 'BAD_USER_INPUT');
      expect(detailsOf((await backend().details.get(CALLER, [key]))[0])?.code).toBe(binary);
    });

    it('refuses an update that changes nothing, and NOT_FOUND for an unknown experiment', async () => {
      const { key } = await newExperiment(backend(), uniqueProject());
      await expectCode(backend().details.update(CALLER, { experimentKey: key }), 'BAD_USER_INPUT');
      await expectCode(backend().details.update(CALLER, { experimentKey: MISSING_KEY, code: 'x' }), 'NOT_FOUND');
    });

    itWhen(capabilities, (c) => c.details.dependencies, 'details.dependencies', 'stores dependencies and reads them back', async () => {
      const { key } = await newExperiment(backend(), uniqueProject());
      await backend().details.update(CALLER, { experimentKey: key, dependencies: [{ name: 'numpy', version: '1.26.0' }, { name: 'torch', version: '2.1.0' }] });
      expect(detailsOf((await backend().details.get(CALLER, [key]))[0])?.dependencies).toEqual([{ name: 'numpy', version: '1.26.0' }, { name: 'torch', version: '2.1.0' }]);
    });

    if (!capabilities.details.dependencies) {
      it('sends dependencies but reads them as unknown (null), where the capability is false', async () => {
        const { key } = await newExperiment(backend(), uniqueProject());
        await backend().details.update(CALLER, { experimentKey: key, dependencies: [{ name: 'numpy', version: '1.26.0' }] });
        expect(detailsOf((await backend().details.get(CALLER, [key]))[0])?.dependencies).toBeNull();
      });
    }
  });

  describe('output lines', () => {
    it('appends lines after the last one and pages them by offset', async () => {
      const { key } = await newExperiment(backend(), uniqueProject());
      expect(await backend().details.appendOutput(CALLER, key, lines(3))).toEqual({ accepted: 3, status: 'ACCEPTED' });
      await backend().details.appendOutput(CALLER, key, [{ text: 'oops\n', stream: 'STDERR' }, { text: '<script>x</script>', stream: 'STDOUT' }]);
      const first = page((await backend().details.output(CALLER, [{ experimentKey: key, first: 2 }]))[0]);
      expect(first.items.map((l) => [l.offset, l.text])).toEqual([[0, 'line 0'], [1, 'line 1']]);
      expect(first).toMatchObject({ totalCount: 5, hasNextPage: true, hasPreviousPage: false });
      const rest = page((await backend().details.output(CALLER, [{ experimentKey: key, first: 10, after: first.cursors[1] }]))[0]);
      expect(rest.items.map((l) => [l.offset, l.text])).toEqual([[2, 'line 2'], [3, 'oops'], [4, '<script>x</script>']]);
      expect(rest).toMatchObject({ totalCount: 5, hasNextPage: false, hasPreviousPage: true });
      const [empty] = await backend().details.output(CALLER, [{ experimentKey: MISSING_KEY, first: 10 }]);
      expect(page(empty)).toMatchObject({ items: [], totalCount: 0 });
    });

    itWhen(capabilities, (c) => c.details.outputStreams, 'details.outputStreams', 'keeps each line\'s stream and time, and filters by stream', async () => {
      const { key } = await newExperiment(backend(), uniqueProject());
      await backend().details.appendOutput(CALLER, key, [...lines(2), ...lines(2, 'STDERR', 'err')]);
      const errors = page((await backend().details.output(CALLER, [{ experimentKey: key, first: 10, stream: 'STDERR' }]))[0]);
      expect(errors.items).toEqual([
        { offset: 2, text: 'err 0', stream: 'STDERR', timestamp: 1_700_000_000_000 },
        { offset: 3, text: 'err 1', stream: 'STDERR', timestamp: 1_700_000_000_001 },
      ]);
      expect(errors.totalCount).toBe(2);
    });

    if (!capabilities.details.outputStreams) {
      it('refuses output(stream:) as unsupported, where the capability is false', async () => {
        const { key } = await newExperiment(backend(), uniqueProject());
        await backend().details.appendOutput(CALLER, key, lines(1, 'STDERR'));
        const [slot] = await backend().details.output(CALLER, [{ experimentKey: key, first: 10, stream: 'STDERR' }]);
        expect(slot).toMatchObject({ code: 'BAD_USER_INPUT', extensions: { reason: 'UNSUPPORTED' } });
        expect(page((await backend().details.output(CALLER, [{ experimentKey: key, first: 10 }]))[0]).items.map((l) => l.text)).toEqual(['line 0']);
      });
    }

    it('stores all of a call or none: too many lines, 10 MB of text, or a line break inside a line', async () => {
      const { key } = await newExperiment(backend(), uniqueProject());
      await expectCode(backend().details.appendOutput(CALLER, key, lines(MAX_OUTPUT_LINES + 1)), 'PAYLOAD_TOO_LARGE');
      const tenMegabytes = 'x'.repeat(10 * 1024 * 1024);
      expect(tenMegabytes.length).toBeGreaterThan(MAX_OUTPUT_CHARS);
      await expectCode(backend().details.appendOutput(CALLER, key, [{ text: 'first', stream: 'STDOUT' }, { text: tenMegabytes, stream: 'STDOUT' }]), 'PAYLOAD_TOO_LARGE');
      await expectCode(backend().details.appendOutput(CALLER, key, [{ text: 'ok', stream: 'STDOUT' }, { text: 'a\nb', stream: 'STDOUT' }]), 'BAD_USER_INPUT');
      await expectCode(backend().details.appendOutput(CALLER, MISSING_KEY, lines(1)), 'NOT_FOUND');
      expect(page((await backend().details.output(CALLER, [{ experimentKey: key, first: 10 }]))[0]).totalCount).toBe(0);
    });

    it('appends once per idempotency claim', async () => {
      const { key } = await newExperiment(backend(), uniqueProject());
      const claim: IdempotencyClaim = { key: `out-${key}`, operation: 'appendOutput', payloadHash: 'h1' };
      await backend().details.appendOutput(CALLER, key, lines(2), { idempotency: claim });
      expect(await backend().details.appendOutput(CALLER, key, lines(2), { idempotency: claim })).toEqual({ accepted: 2, status: 'ACCEPTED' });
      expect(page((await backend().details.output(CALLER, [{ experimentKey: key, first: 10 }]))[0]).totalCount).toBe(2);
    });
  });

  describe('curves', () => {
    it('logs curves and reads them ordered by name then step', async () => {
      const { key } = await newExperiment(backend(), uniqueProject());
      await backend().details.logCurve(CALLER, { experimentKey: key, name: 'roc', x: [0, 0.5, 1], y: [0, 0.8, 1], step: 2 });
      await backend().details.logCurve(CALLER, { experimentKey: key, name: 'pr', x: [0, 1], y: [1, 0.25] });
      await backend().details.logCurve(CALLER, { experimentKey: key, name: 'roc', x: [0, 1], y: [0, 1], step: 1 });
      expect(await backend().details.curves(CALLER, [key, MISSING_KEY])).toEqual([[
        { name: 'pr', step: null, x: [0, 1], y: [1, 0.25] },
        { name: 'roc', step: 1, x: [0, 1], y: [0, 1] },
        { name: 'roc', step: 2, x: [0, 0.5, 1], y: [0, 0.8, 1] },
      ], []]);
    });

    it('refuses a curve whose x and y differ in length or hold non-finite numbers', async () => {
      const { key } = await newExperiment(backend(), uniqueProject());
      await expectCode(backend().details.logCurve(CALLER, { experimentKey: key, name: 'c', x: [0, 1], y: [1] }), 'BAD_USER_INPUT');
      await expectCode(backend().details.logCurve(CALLER, { experimentKey: key, name: 'c', x: [0], y: [Number.NaN] }), 'BAD_USER_INPUT');
      expect(await backend().details.curves(CALLER, [key])).toEqual([[]]);
    });
  });

  describe('project notes and columns', () => {
    it('sets and reads notes; a missing project reads null and refuses notes with NOT_FOUND', async () => {
      const project = uniqueProject();
      await newExperiment(backend(), project);
      const ref = { workspace: WORKSPACE, name: project };
      expect(await backend().details.projectNotes(CALLER, [ref])).toEqual([null]);
      await backend().details.setProjectNotes(CALLER, ref, '# Plan\n<script>x</script>');
      const missing = { workspace: WORKSPACE, name: uniqueProject('missing') };
      expect(await backend().details.projectNotes(CALLER, [ref, missing])).toEqual(['# Plan\n<script>x</script>', null]);
      await expectCode(backend().details.setProjectNotes(CALLER, missing, 'x'), 'NOT_FOUND');
    });

    it('lists the columns of a project: its runs\' metrics, parameters, tags and metadata', async () => {
      const project = uniqueProject();
      const { key } = await newExperiment(backend(), project, { tags: ['best'], parameters: [{ name: 'lr', value: '0.1' }] });
      await backend().metrics.log(CALLER, key, [{ name: 'loss', value: 1, step: 0 }]);
      await backend().details.update(CALLER, { experimentKey: key, systemDetails: { hostname: 'gpu-1' } });
      const [columns] = await backend().details.projectColumns(CALLER, [{ workspace: WORKSPACE, name: project }]);
      if (columns instanceof Error) throw columns;
      const names = columns.map((c) => `${c.source}:${c.name}`);
      expect(names).toEqual(expect.arrayContaining(['METRIC:loss', 'PARAMETER:lr', 'TAG:best', 'METADATA:experimentKey', 'METADATA:duration', 'SYSTEM:hostname']));
      expect(columns.find((c) => c.name === 'loss')).toMatchObject({ type: 'double' });
    });
  });
}
