/**
 * Artifact files of a run: listed with `mlflow/artifacts/list` (paths relative to the run's root, §7),
 * streamed in and out through the `mlflow-artifacts` proxy. An upload is cut off with PAYLOAD_TOO_LARGE as
 * soon as it passes its limit, without destroying the caller's stream, and is hashed on the way.
 */
import { createHash } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import { PayloadTooLargeError } from '../../errors';
import type { MlflowApi } from './api';
import { decodeFileList } from './decode';
import { DETAILS_FOLDER, Route } from './protocol';

/** Bounds of one run's walk: a run with more files lists the first ones found. */
const MAX_FILES = 1_000;
const MAX_DIRECTORIES = 100;

export interface ArtifactFile {
  path: string;
  size: number;
}

/**
 * The run's files, depth first, at most MAX_FILES, reading at most MAX_DIRECTORIES directories. The
 * run-details folder (`trackql/`, detail-artifacts.ts) is not an asset and is not walked.
 */
export async function walkArtifacts(api: MlflowApi, runId: string): Promise<ArtifactFile[]> {
  const files: ArtifactFile[] = [];
  const pending = [''];
  for (let read = 0; pending.length > 0 && read < MAX_DIRECTORIES && files.length < MAX_FILES; read++) {
    const dir = pending.shift() as string;
    let token: string | null = null;
    do {
      const answer = await api.call({
        method: 'GET', route: Route.artifactList, idempotent: true,
        query: { run_id: runId, ...(dir !== '' && { path: dir }), ...(token && { page_token: token }) },
      });
      const page = decodeFileList(answer);
      for (const f of page.files) {
        if (f.isDir) {
          if (f.path !== DETAILS_FOLDER) pending.push(f.path);
        }
        else if (files.length < MAX_FILES) files.push({ path: f.path, size: f.size });
      }
      token = page.next;
    } while (token !== null);
  }
  return files;
}

/** `body` passed through, counted and hashed; fails with PAYLOAD_TOO_LARGE past `maxBytes`, leaving `body` to its owner. */
export function limited(body: Readable, maxBytes: number): { stream: Readable; done: () => { size: number; sha256: string } } {
  const out = new PassThrough();
  const hash = createHash('sha256');
  let size = 0;
  const detach = (): void => {
    body.off('data', onData);
    body.off('end', onEnd);
    body.off('error', onError);
    out.off('drain', onDrain);
  };
  const onData = (chunk: Buffer): void => {
    size += chunk.length;
    if (size > maxBytes) {
      detach();
      body.pause();
      out.destroy(new PayloadTooLargeError(`The upload is larger than its limit of ${maxBytes} bytes`, { maxBytes }));
      return;
    }
    hash.update(chunk);
    if (!out.write(chunk)) body.pause();
  };
  const onDrain = (): void => void body.resume();
  const onEnd = (): void => {
    detach();
    out.end();
  };
  const onError = (error: Error): void => {
    detach();
    out.destroy(error);
  };
  body.on('data', onData);
  body.on('end', onEnd);
  body.on('error', onError);
  out.on('drain', onDrain);
  return { stream: out, done: () => ({ size, sha256: hash.digest('hex') }) };
}
