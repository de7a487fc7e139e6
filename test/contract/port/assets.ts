/** Contract: assets (streamed in and out, byte ranges, size limits) and experiment models. */
import { PassThrough } from 'node:stream';
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

    it('lists assets per key in key order, by creation then id, optionally of one type', async () => {
      const project = uniqueProject();
      const a = await newExperiment(backend(), project);
      const b = await newExperiment(backend(), project);
      for (const [fileName, type] of [['one.png', 'image'], ['two.txt', 'text'], ['three.png', 'image']]) {
        await backend().assets.put(CALLER, { experimentKey: a.key, fileName, type, maxBytes: MAX }, bodyOf(fileName));
      }
      const [listA, listB, again] = await backend().assets.list(CALLER, [a.key, b.key, a.key]);
      expect(listB).toEqual([]);
      expect(again).toEqual(listA);
      const assets = listA as { createdAt: number; assetId: string; fileName: string }[];
      expect(assets.map((asset) => asset.fileName).sort()).toEqual(['one.png', 'three.png', 'two.txt']);
      expect(isSorted(assets, (x, y) => x.createdAt - y.createdAt || (x.assetId < y.assetId ? -1 : 1))).toBe(true);
      const [images] = await backend().assets.list(CALLER, [a.key], 'image');
      expect((images as { fileName: string }[]).map((asset) => asset.fileName).sort()).toEqual(['one.png', 'three.png']);
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
      expect(await backend().assets.list(CALLER, [key])).toEqual([[]]);
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
      expect(await backend().assets.list(CALLER, [key])).toEqual([[]]);
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
