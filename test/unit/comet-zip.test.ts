/** The zip reader and writer behind Comet's git patch: archives of other tools read, hostile ones refused before inflating. */
import fs from 'node:fs';
import path from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { looksLikeZip, readZipEntry, writeZip } from '../../src/backends/comet/zip';

const FIXTURE = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'comet', 'git-patch.zip'));

describe('comet git patch archives', () => {
  it('reads the entry of an archive made by Info-ZIP, by name', () => {
    expect(looksLikeZip(FIXTURE)).toBe(true);
    const patch = readZipEntry(FIXTURE, 'git_diff.patch', 1024);
    expect(patch?.toString()).toMatch(/^diff --git a\/train.py b\/train.py\n/);
    expect(patch).toHaveLength(96);
  });

  it('writes a one-entry archive it reads back, stored names in UTF-8', () => {
    const content = Buffer.from('diff --git a/ä b/ä\n'.repeat(100));
    const zip = writeZip('git_diff.patch', content);
    expect(readZipEntry(zip, 'git_diff.patch', 1 << 20)).toEqual(content);
    expect(readZipEntry(zip, 'other-name', 1 << 20)).toEqual(content); // the only entry, whatever its name
  });

  it('refuses an entry declared larger than the limit before inflating it', () => {
    const zip = writeZip('git_diff.patch', Buffer.alloc(10_000, 0x61));
    expect(() => readZipEntry(zip, 'git_diff.patch', 1_000)).toThrow(expect.objectContaining({ code: 'PAYLOAD_TOO_LARGE' }));
  });

  it('stops inflating an entry that lies about its size (a zip bomb)', () => {
    const zip = writeZip('git_diff.patch', Buffer.from('x'));
    const bomb = deflateRawSync(Buffer.alloc(5_000_000));
    // Splice a 5 MB stream in place of the 1-byte one, keeping the declared sizes of 1 byte.
    const head = zip.subarray(0, 30 + 'git_diff.patch'.length);
    const tail = zip.subarray(head.length + deflateRawSync(Buffer.from('x')).length);
    const spliced = Buffer.concat([head, bomb, tail]);
    spliced.writeUInt32LE(head.length + bomb.length, spliced.length - 22 + 16); // the directory moved
    spliced.writeUInt32LE(bomb.length, head.length + bomb.length + 20); // central header: compressed size
    spliced.writeUInt32LE(bomb.length, 18);
    expect(() => readZipEntry(spliced, 'git_diff.patch', 10_000_000)).toThrow(expect.objectContaining({ code: 'PAYLOAD_TOO_LARGE' }));
  });

  it('answers garbage and truncated archives with an upstream error, not a crash', () => {
    for (const bytes of [Buffer.from('PK\u0003\u0004 not really'), FIXTURE.subarray(0, FIXTURE.length - 30), Buffer.alloc(0)]) {
      expect(() => readZipEntry(bytes, 'git_diff.patch', 1024)).toThrow(expect.objectContaining({ code: 'UPSTREAM_UNAVAILABLE' }));
    }
  });
});
