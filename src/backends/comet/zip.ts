/**
 * The one zip shape Comet's git patch travels in (comet-run-details.md, "Git patch"): an archive holding
 * `git_diff.patch`. Reading takes one named entry, stored or deflated, found through the central directory
 * (so entries written with data descriptors read too), and refuses anything that would expand past a limit
 * before inflating it. Writing makes a one-entry deflated archive. A hand-written reader is enough: no
 * encryption, no multi-disk archives, no zip64 (a patch over 4 GiB is refused long before).
 */
import { crc32, deflateRawSync, inflateRawSync } from 'node:zlib';
import { PayloadTooLargeError } from '../../errors';
import { ShapeError } from './json';

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_DIRECTORY = 0x06054b50;
const END_SIZE = 22;
const STORED = 0;
const DEFLATED = 8;
// Version 2.0: deflate; bit 11 of the flags: names are UTF-8.
const VERSION = 20;
const UTF8_NAMES = 0x0800;

/** Bytes that start like a zip archive (a local file header). */
export function looksLikeZip(bytes: Buffer): boolean {
  return bytes.length >= 4 && bytes.readUInt32LE(0) === LOCAL_HEADER;
}

function bad(what: string): never {
  throw new ShapeError('experiment/git/patch', `an archive that cannot be read: ${what}`);
}

interface Entry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

function endOfDirectory(zip: Buffer): number {
  // The record sits at the end, after a comment of at most 65,535 bytes.
  for (let at = zip.length - END_SIZE; at >= Math.max(0, zip.length - END_SIZE - 0xffff); at--) {
    if (zip.readUInt32LE(at) === END_OF_DIRECTORY) return at;
  }
  return bad('no end-of-directory record');
}

function entries(zip: Buffer): Entry[] {
  const end = endOfDirectory(zip);
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const list: Entry[] = [];
  for (let i = 0; i < count; i++) {
    if (at + 46 > zip.length || zip.readUInt32LE(at) !== CENTRAL_HEADER) bad('a broken central directory');
    const nameLength = zip.readUInt16LE(at + 28);
    const skip = nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    list.push({
      method: zip.readUInt16LE(at + 10),
      compressedSize: zip.readUInt32LE(at + 20),
      size: zip.readUInt32LE(at + 24),
      name: zip.toString('utf8', at + 46, at + 46 + nameLength),
      localOffset: zip.readUInt32LE(at + 42),
    });
    at += 46 + skip;
  }
  return list;
}

/**
 * The bytes of entry `name` (or of the only entry, when there is one and it has another name); null when
 * the archive has no such entry. Past `maxBytes` of content it is PAYLOAD_TOO_LARGE, never inflated.
 */
export function readZipEntry(zip: Buffer, name: string, maxBytes: number): Buffer | null {
  const all = entries(zip);
  const entry = all.find((e) => e.name === name) ?? (all.length === 1 ? all[0] : undefined);
  if (entry === undefined) return null;
  if (entry.size > maxBytes) throw new PayloadTooLargeError(`The git patch is ${entry.size} bytes, over the limit of ${maxBytes}`, { limit: maxBytes });
  const at = entry.localOffset;
  if (at + 30 > zip.length || zip.readUInt32LE(at) !== LOCAL_HEADER) bad('a broken local header');
  const start = at + 30 + zip.readUInt16LE(at + 26) + zip.readUInt16LE(at + 28);
  if (start + entry.compressedSize > zip.length) bad('an entry that runs past the end');
  const data = zip.subarray(start, start + entry.compressedSize);
  if (entry.method === STORED) return Buffer.from(data);
  if (entry.method !== DEFLATED) bad(`compression method ${entry.method}`);
  try {
    // The declared size could lie: the inflater stops at the limit whatever the header says.
    return inflateRawSync(data, { maxOutputLength: Math.max(entry.size, 1) });
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw new PayloadTooLargeError(`The git patch expands past its declared ${entry.size} bytes`, { limit: maxBytes });
    return bad((error as Error).message);
  }
}

/** A one-entry deflated archive of `content` named `name`. */
export function writeZip(name: string, content: Buffer, modified = new Date()): Buffer {
  const fileName = Buffer.from(name, 'utf8');
  const packed = deflateRawSync(content);
  const crc = crc32(content);
  const time = ((modified.getHours() << 11) | (modified.getMinutes() << 5) | (modified.getSeconds() >> 1)) & 0xffff;
  const date = (((modified.getFullYear() - 1980) << 9) | ((modified.getMonth() + 1) << 5) | modified.getDate()) & 0xffff;
  const local = Buffer.alloc(30);
  local.writeUInt32LE(LOCAL_HEADER, 0);
  local.writeUInt16LE(VERSION, 4);
  local.writeUInt16LE(UTF8_NAMES, 6);
  local.writeUInt16LE(DEFLATED, 8);
  local.writeUInt16LE(time, 10);
  local.writeUInt16LE(date, 12);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(packed.length, 18);
  local.writeUInt32LE(content.length, 22);
  local.writeUInt16LE(fileName.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(CENTRAL_HEADER, 0);
  central.writeUInt16LE(VERSION, 4);
  central.writeUInt16LE(VERSION, 6);
  local.copy(central, 8, 6, 26); // flags, method, time, date, crc and sizes: the same as the local header's
  central.writeUInt16LE(fileName.length, 28);
  const directoryOffset = local.length + fileName.length + packed.length;
  const end = Buffer.alloc(END_SIZE);
  end.writeUInt32LE(END_OF_DIRECTORY, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + fileName.length, 12);
  end.writeUInt32LE(directoryOffset, 16);
  return Buffer.concat([local, fileName, packed, central, fileName, end]);
}
