/**
 * The run details MLflow has no field for, kept as artifact files of the run under its `trackql/` folder,
 * through the `mlflow-artifacts` proxy the assets use (§7):
 *
 * - `trackql/code.txt`, `trackql/model-graph.txt`: the text as sent (UTF-8);
 * - `trackql/system.json`: the system details other than `user` (a tag, detail-tags.ts);
 * - `trackql/dependencies.json`;
 * - `trackql/output/` and `trackql/curves/`: one file per call (detail-output.ts, detail-curves.ts).
 *
 * Each of the first four is marked by a run tag `trackql.detail.<part>`, so a read knows from the run it
 * already holds which files exist: runs without them (every run other clients logged) cost no download.
 * The marker of `system` lists the fields the file holds, which is what the project's columns need.
 */
import { Readable } from 'node:stream';
import { BadUserInputError, UpstreamUnavailableError } from '../../errors';
import type { MlflowApi } from './api';
import { orNull } from './api';
import { artifactRoot } from './asset-records';
import { decodeFileList, type MlflowRun } from './decode';
import type { MlflowHttp } from './http';
import { DETAILS_FOLDER, GatewayTag, Route } from './protocol';

/** The parts kept as one file each. */
export type StoredPart = 'code' | 'modelGraph' | 'system' | 'dependencies';
export const STORED_FILES: Readonly<Record<StoredPart, string>> = {
  code: `${DETAILS_FOLDER}/code.txt`,
  modelGraph: `${DETAILS_FOLDER}/model-graph.txt`,
  system: `${DETAILS_FOLDER}/system.json`,
  dependencies: `${DETAILS_FOLDER}/dependencies.json`,
};

export const markerKey = (part: StoredPart): string => `${GatewayTag.detailPrefix}${part}`;

/** The marker's value, or null when the part was never stored through the gateway. */
export function marker(run: MlflowRun, part: StoredPart): string | null {
  return run.tags.get(markerKey(part)) ?? null;
}

/** What reads and writes of artifact files need: the caller's API and the HTTP client that streams bytes. */
export interface DetailIo {
  api: MlflowApi;
  http: MlflowHttp;
}

/** The run's artifact directory in the proxy; refused when the server does not proxy artifacts. */
export function requireRoot(run: MlflowRun): string {
  const root = artifactRoot(run);
  if (root === null) {
    throw new BadUserInputError(
      `Run '${run.runId}' stores artifacts at '${run.artifactUri}', which the gateway cannot reach: start MLflow with --serve-artifacts to keep run details there`,
      { reason: 'ARTIFACTS_NOT_PROXIED' },
    );
  }
  return root;
}

/**
 * Bytes of one details file read whole: the gateway writes at most a few times MAX_DETAIL_CHARS (an output
 * file of escaped lines is the largest); anything larger was put there by someone else and is not read.
 */
const MAX_FILE_BYTES = 64 * 1024 * 1024;

/** A file of the run as text; null when it is missing (or artifacts are not proxied). */
export async function readText(io: DetailIo, run: MlflowRun, path: string): Promise<string | null> {
  const root = artifactRoot(run);
  if (root === null) return null;
  const answer = await orNull(io.http.download(io.api.credentials, `${root}/${path}`, null));
  if (answer === null) return null;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of answer.body) {
    size += (chunk as Buffer).length;
    if (size > MAX_FILE_BYTES) {
      answer.body.destroy();
      throw new UpstreamUnavailableError(`The run's artifact '${path}' is larger than ${MAX_FILE_BYTES} bytes: it was changed outside the gateway`, { reason: 'BAD_SHAPE' });
    }
    chunks.push(Buffer.from(chunk as Buffer));
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A file of the run as JSON; a file that is not JSON is an upstream fault, never a silent null. */
export async function readJson(io: DetailIo, run: MlflowRun, path: string): Promise<unknown> {
  const text = await readText(io, run, path);
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new UpstreamUnavailableError(`The run's artifact '${path}' is not JSON: it was changed outside the gateway`, { reason: 'BAD_SHAPE' });
  }
}

/**
 * Writes a file whole (one PUT). A file that may be new removes what reached the store when the upload
 * fails, so a failed append keeps nothing; a file replaced in place is left for the next write.
 */
export async function writeText(io: DetailIo, run: MlflowRun, path: string, text: string, removeOnFailure: boolean): Promise<void> {
  const full = `${requireRoot(run)}/${path}`;
  try {
    await io.http.upload(io.api.credentials, full, Readable.from([Buffer.from(text, 'utf8')]));
  } catch (error) {
    if (removeOnFailure) await io.http.deleteArtifact(io.api.credentials, full).catch(() => undefined);
    throw error;
  }
}

/** The names of the files directly in `dir` (relative to the run's root), all pages; [] when there is none. */
export async function listFolder(io: DetailIo, run: MlflowRun, dir: string): Promise<{ name: string; size: number }[]> {
  if (artifactRoot(run) === null) return [];
  const out: { name: string; size: number }[] = [];
  let token: string | null = null;
  do {
    const answer = await io.api.call({
      method: 'GET', route: Route.artifactList, idempotent: true,
      query: { run_id: run.runId, path: dir, ...(token && { page_token: token }) },
    });
    const page = decodeFileList(answer);
    for (const f of page.files) if (!f.isDir) out.push({ name: f.path.slice(f.path.lastIndexOf('/') + 1), size: f.size });
    token = page.next;
  } while (token !== null);
  return out;
}
