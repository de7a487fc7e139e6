/** Contract: assets (streamed in and out, byte ranges, size limits) and experiment models. */
import { PassThrough } from 'node:stream';
import type { Asset, AssetPageRequest, Page } from '../../../src/backends/port';
import { CALLER, bodyOf, collect, expectCode, isSorted, newExperiment, uniqueProject, type GetBackend } from './support';

const MAX = 1_000_000;

export function describeAssets(backend: GetBackend): void {
  describe('assets', () => {
    it('streams an asset in and reads it back whole and by inclusive byte range', async () => {
      const { key } = await newExperiment(backend(), uniqueProject());
      const bytes = Buffer.from('0123456789abcdefghij');
      const asset = await backend().assets.put(
        CALLER,
        { experimentKey: key, fileName: 'dir/notes.txt', type: 'text', step: 3, metadata: { a: 1 }, maxBytes: MAX },
        bodyOf(bytes),
      );
      expect(asset).toMatchObject({ experimentKey: key, fileName: 'dir/notes.txt', size: 20, type: 'text', step: 3, metadata: { a: 1 } });
      const whole = await backend().assets.open(CALLER, key, asset.assetId);
      expect(whole?.asset).toEqual(asset);
      expect(await collect(whole!.stream)).toEqual(bytes);
      const part = await backend().assets.open(CALLER, key, asset.assetId, { range: { start: 2, end: 5 } });
      expect((await collect(part!.stream)).toString()).toBe('2345');
      const tail = await backend().assets.open(CALLER, key, asset.assetId, { range: { start: 18, end: 99 } });
      expect((await collect(tail!.stream)).toString()).toBe('ij');
    });

    it('returns null when opening an asset that does not exist', async () => {
      const { key } = await newExperiment(backend(), uniqueProject());
      expect(await backend().assets.open(CALLER, key, 'nope')).toBeNull();
      expect(await backend().assets.open(CALLER, 'f'.repeat(32), 'nope')).toBeNull();
    });

    it('lists a page of assets per request in request order, by creation then id, optionally of one type', async () => {
      const project = uniqueProject();
      const a = await newExperiment(backend(), project);
      const b = await newExperiment(backend(), project);
      for (const [fileName, type] of [['one.png', 'image'], ['two.txt', 'text'], ['three.png', 'image']]) {
        await backend().assets.put(CALLER, { experimentKey: a.key, fileName, type, maxBytes: MAX }, bodyOf(fileName));
      }
      const [pageA, pageB, again, unknown] = await backend().assets.list(CALLER, [
        { experimentKey: a.key, first: 10 }, { experimentKey: b.key, first: 10 }, { experimentKey: a.key, first: 10 }, { experimentKey: 'f'.repeat(32), first: 10 },
      ]);
      const empty = { items: [], cursors: [], hasNextPage: false, hasPreviousPage: false, totalCount: 0 };
      expect(pageB).toEqual(empty);
      expect(unknown).toEqual(empty);
      expect(again).toEqual(pageA);
      const assets = (pageA as Page<Asset>).items;
      expect(pageA).toMatchObject({ totalCount: 3, hasNextPage: false, hasPreviousPage: false });
      expect(assets.map((asset) => asset.fileName).sort()).toEqual(['one.png', 'three.png', 'two.txt']);
      expect(isSorted(assets, (x, y) => x.createdAt - y.createdAt || (x.assetId < y.assetId ? -1 : 1))).toBe(true);
      const [images] = await backend().assets.list(CALLER, [{ experimentKey: a.key, first: 10, type: 'image' }]);
      expect((images as Page<Asset>).items.map((asset) => asset.fileName).sort()).toEqual(['one.png', 'three.png']);
      expect((images as Page<Asset>).totalCount).toBe(2);
    });

    it('pages assets by cursor: each page has its own size, a previous page only after the first', async () => {
      const { key } = await newExperiment(backend(), uniqueProject());
      for (let i = 0; i < 5; i++) {
        await backend().assets.put(CALLER, { experimentKey: key, fileName: `f${i}.bin`, type: i % 2 ? 'odd' : 'even', maxBytes: MAX }, bodyOf(`bytes ${i}`));
      }
      const list = async (request: Omit<AssetPageRequest, 'experimentKey'>) =>
        (await backend().assets.list(CALLER, [{ experimentKey: key, ...request }]))[0] as Page<Asset>;
      const whole = await list({ first: 5 });
      const ids = whole.items.map((a) => a.assetId);
      const seen: string[] = [];
      let page = await list({ first: 2 });
      expect(page).toMatchObject({ totalCount: 5, hasNextPage: true, hasPreviousPage: false });
      for (;;) {
        expect(page.cursors).toHaveLength(page.items.length);
        seen.push(...page.items.map((a) => a.assetId));
        if (!page.hasNextPage) break;
        page = await list({ first: 2, after: page.cursors.at(-1) });
        expect(page).toMatchObject({ totalCount: 5, hasPreviousPage: true });
      }
      expect(seen).toEqual(ids);
      // Past the end: nothing left, but items do come before.
      expect(await list({ first: 2, after: whole.cursors.at(-1) })).toEqual({ items: [], cursors: [], hasNextPage: false, hasPreviousPage: true, totalCount: 5 });
      // One batch, different sizes, types and cursors per request.
      const [two, odd, rest] = await backend().assets.list(CALLER, [
        { experimentKey: key, first: 1 }, { experimentKey: key, first: 5, type: 'odd' }, { experimentKey: key, first: 3, after: whole.cursors[0] },
      ]);
      expect((two as Page<Asset>).items.map((a) => a.assetId)).toEqual(ids.slice(0, 1));
      expect(odd).toMatchObject({ totalCount: 2, hasNextPage: false, hasPreviousPage: false });
      expect((odd as Page<Asset>).items.map((a) => a.assetId)).toEqual(whole.items.filter((a) => a.type === 'odd').map((a) => a.assetId));
      expect(rest).toMatchObject({ totalCount: 5, hasNextPage: true, hasPreviousPage: true });
      expect((rest as Page<Asset>).items.map((a) => a.assetId)).toEqual(ids.slice(1, 4));
    });

    it('answers a bad cursor or page size with BAD_USER_INPUT in its own slot', async () => {
      const { key } = await newExperiment(backend(), uniqueProject());
      await backend().assets.put(CALLER, { experimentKey: key, fileName: 'a.bin', type: 't', maxBytes: MAX }, bodyOf('a'));
      const [bad, tooBig, good] = await backend().assets.list(CALLER, [
        { experimentKey: key, first: 1, after: 'bm90IGEgY3Vyc29y' }, { experimentKey: key, first: 1_000_000 }, { experimentKey: key, first: 1 },
      ]);
      expect(bad).toMatchObject({ code: 'BAD_USER_INPUT' });
      expect(tooBig).toMatchObject({ code: 'BAD_USER_INPUT' });
      expect(good).toMatchObject({ totalCount: 1 });
    });

    it('gets assets by ref in ref order, null where the asset or its experiment is missing', async () => {
      const { key } = await newExperiment(backend(), uniqueProject());
      const one = await backend().assets.put(CALLER, { experimentKey: key, fileName: 'one.txt', type: 't', maxBytes: MAX }, bodyOf('1'));
      const two = await backend().assets.put(CALLER, { experimentKey: key, fileName: 'two.txt', type: 't', maxBytes: MAX }, bodyOf('22'));
      const got = await backend().assets.get(CALLER, [
        { experimentKey: key, assetId: two.assetId }, { experimentKey: key, assetId: 'nope' }, { experimentKey: 'f'.repeat(32), assetId: one.assetId },
        { experimentKey: key, assetId: one.assetId },
      ]);
      expect(got).toEqual([two, null, null, one]);
    });

    it('rejects an upload over maxBytes while streaming with PAYLOAD_TOO_LARGE and keeps nothing', async () => {
      const { key } = await newExperiment(backend(), uniqueProject());
      const body = new PassThrough();
      const upload = backend().assets.put(CALLER, { experimentKey: key, fileName: 'big.bin', type: 'bin', maxBytes: 10 }, body);
      body.write(Buffer.alloc(8));
      body.write(Buffer.alloc(8));
      // The stream never ends: the limit must trip on the bytes, not at the end of the body.
      await expectCode(upload, 'PAYLOAD_TOO_LARGE');
      body.destroy();
      expect(await backend().assets.list(CALLER, [{ experimentKey: key, first: 10 }])).toMatchObject([{ items: [], totalCount: 0 }]);
      const exact = await backend().assets.put(CALLER, { experimentKey: key, fileName: 'ok.bin', type: 'bin', maxBytes: 10 }, bodyOf(Buffer.alloc(10)));
      expect(exact.size).toBe(10);
    });

    it.each([
      ['', 'empty'],
      ['../etc/passwd', 'a parent segment'],
      ['a/../../b', 'a parent segment inside'],
      ['/etc/passwd', 'an absolute path'],
      ['C:\\Windows\\x', 'a drive path'],
      ['dir\\file', 'a backslash'],
      ['a\u0000b', 'a NUL byte'],
      ['a//b', 'an empty segment'],
    ])('rejects the file name %j (%s) with BAD_USER_INPUT', async (fileName) => {
      const { key } = await newExperiment(backend(), uniqueProject());
      await expectCode(backend().assets.put(CALLER, { experimentKey: key, fileName, type: 't', maxBytes: MAX }, bodyOf('x')), 'BAD_USER_INPUT');
      expect(await backend().assets.list(CALLER, [{ experimentKey: key, first: 10 }])).toMatchObject([{ items: [], totalCount: 0 }]);
    });

    it('rejects an upload to an unknown experiment with NOT_FOUND', async () => {
      await expectCode(
        backend().assets.put(CALLER, { experimentKey: '9'.repeat(32), fileName: 'a.txt', type: 't', maxBytes: MAX }, bodyOf('x')),
        'NOT_FOUND',
      );
    });

    it('groups assets by model name into experiment models, ordered by name', async () => {
      const { key } = await newExperiment(backend(), uniqueProject());
      const put = (fileName: string, modelName?: string) =>
        backend().assets.put(CALLER, { experimentKey: key, fileName, type: 'model-element', modelName, maxBytes: MAX }, bodyOf(fileName));
      const w = await put('weights.bin', 'resnet');
      const c = await put('config.json', 'resnet');
      const other = await put('tok.json', 'bert');
      await put('loose.txt');
      const [models, none] = await backend().assets.models(CALLER, [key, '8'.repeat(32)]);
      expect(none).toEqual([]);
      expect(models).toEqual([
        { experimentKey: key, name: 'bert', assetIds: [other.assetId] },
        { experimentKey: key, name: 'resnet', assetIds: expect.arrayContaining([w.assetId, c.assetId]) },
      ]);
    });
  });
}
