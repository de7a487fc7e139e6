/**
 * Content-addressed bytes: blobs/<sha[0:2]>/<sha256 hex>. Identical uploads share one file; a file name never
 * becomes a path, so nothing a client sends can address a file outside the data dir.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { PayloadTooLargeError } from '../../errors';
import type { DataPaths } from './db';

const SHA256_HEX = /^[0-9a-f]{64}$/;

export interface StagedBlob {
  /** Temp file holding the bytes, inside the data dir (same file system, so the final rename is atomic). */
  tempFile: string;
  sha256: string;
  size: number;
}

export class BlobStore {
  readonly #paths: DataPaths;

  constructor(paths: DataPaths) {
    this.#paths = paths;
  }

  pathOf(sha256: string): string {
    if (!SHA256_HEX.test(sha256)) throw new Error(`Not a sha256 hex digest: '${sha256}'`);
    return path.join(this.#paths.blobDir, sha256.slice(0, 2), sha256);
  }

  /**
   * Streams `body` to a temp file while hashing it. Rejects with PayloadTooLargeError as soon as more than
   * `maxBytes` have arrived, and on any stream error; either way the temp file is removed. The body is not
   * destroyed on rejection: it belongs to the caller (an HTTP route may still want to answer 413 on it).
   */
  async stage(body: Readable, maxBytes: number): Promise<StagedBlob> {
    const tempFile = path.join(this.#paths.tmpDir, `${randomBytes(12).toString('hex')}.part`);
    const out = fs.createWriteStream(tempFile, { flags: 'wx' });
    const hash = createHash('sha256');
    let size = 0;
    try {
      await new Promise<void>((resolve, reject) => {
        const fail = (error: Error): void => {
          body.off('data', onData);
          body.off('end', onEnd);
          body.off('error', fail);
          body.unpipe();
          body.pause();
          out.destroy();
          reject(error);
        };
        const onData = (chunk: Buffer | string): void => {
          const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
          size += bytes.length;
          if (size > maxBytes) {
            fail(new PayloadTooLargeError(`Asset is larger than the limit of ${maxBytes} bytes`, { maxBytes }));
            return;
          }
          hash.update(bytes);
          if (!out.write(bytes)) {
            body.pause();
            out.once('drain', () => body.resume());
          }
        };
        const onEnd = (): void => {
          body.off('error', fail);
          out.end(() => resolve());
        };
        out.once('error', fail);
        body.on('data', onData);
        body.once('end', onEnd);
        body.once('error', fail);
        body.resume();
      });
    } catch (error) {
      await removeQuietly(tempFile, out);
      throw error;
    }
    return { tempFile, sha256: hash.digest('hex'), size };
  }

  /**
   * Moves a staged blob to its content address, or drops it when that content is already stored. Call it
   * inside the write transaction that inserts the row referencing it, after the insert (blob-gc.ts says why).
   */
  commitSync(staged: StagedBlob): void {
    const target = this.pathOf(staged.sha256);
    if (fs.existsSync(target)) {
      fs.rmSync(staged.tempFile, { force: true });
      return;
    }
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.renameSync(staged.tempFile, target);
  }

  discardSync(staged: StagedBlob): void {
    fs.rmSync(staged.tempFile, { force: true });
  }

  /** Removes the blob: only from blob-gc.ts, which decides under the write lock that no row references it. */
  deleteSync(sha256: string): void {
    fs.rmSync(this.pathOf(sha256), { force: true });
  }

  /** Streams an inclusive byte range (whole file when absent). */
  open(sha256: string, range?: { start: number; end: number }): Readable {
    return fs.createReadStream(this.pathOf(sha256), range ? { start: range.start, end: range.end } : {});
  }
}

async function removeQuietly(file: string, out: fs.WriteStream): Promise<void> {
  // Wait for the write stream to release its descriptor before unlinking.
  if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()));
  await fs.promises.rm(file, { force: true });
}
