/**
 * What the gateway knows of an asset beyond its file: kept in one run tag per asset,
 * `trackql.asset.<id>` = JSON, so a run read (or a listing of runs) carries its assets with no extra call.
 * Artifact files logged by other MLflow clients have no such tag; they are listed from the artifact store
 * with an id derived from their path.
 */
import { BadUserInputError } from '../../errors';
import { validateFileName } from '../comet/upload';
import type { Asset } from '../port';
import type { MlflowRun } from './decode';
import { ARTIFACT_SCHEME, GatewayTag, Limits } from './protocol';

interface Stored {
  f: string;
  t: string;
  s: number | null;
  c: number;
  m: Record<string, unknown> | null;
  n: string | null;
  z: number;
  h: string | null;
}

/** External artifacts: `x` + base64url of the path (never clashes with a random hex id). */
export const externalId = (path: string): string => `x${Buffer.from(path).toString('base64url')}`;

export function pathOfExternalId(id: string): string | null {
  if (!id.startsWith('x')) return null;
  const path = Buffer.from(id.slice(1), 'base64url').toString('utf8');
  return externalId(path) === id ? path : null;
}

/** The tag holding an asset, refused when MLflow could not keep it (tag values ≤ 5000 characters). */
export function assetTag(asset: Asset): { key: string; value: string } {
  const stored: Stored = { f: asset.fileName, t: asset.type, s: asset.step, c: asset.createdAt, m: asset.metadata, n: asset.modelName, z: asset.size, h: asset.sha256 };
  const value = JSON.stringify(stored);
  if (value.length > Limits.TAG_VALUE_MAX_CHARS) {
    throw new BadUserInputError(`The asset's metadata is too large for MLflow: at most about ${Limits.TAG_VALUE_MAX_CHARS} characters of JSON with its name and type`, { field: 'metadata' });
  }
  return { key: `${GatewayTag.assetPrefix}${asset.assetId}`, value };
}

/** The gateway's assets of a run, by id. */
export function taggedAssets(run: MlflowRun): Asset[] {
  const out: Asset[] = [];
  for (const [key, value] of run.tags) {
    if (!key.startsWith(GatewayTag.assetPrefix)) continue;
    try {
      const s = JSON.parse(value) as Stored;
      // Anyone may write a tag: a name that is not a plain relative path never becomes a path to read.
      validateFileName(s.f);
      out.push({
        experimentKey: run.runId, assetId: key.slice(GatewayTag.assetPrefix.length), fileName: s.f, size: s.z, type: s.t,
        step: s.s, createdAt: s.c, metadata: s.m, modelName: s.n, sha256: s.h,
      });
    } catch {
      // a tag someone else wrote under our prefix, or with a path we would not write: not an asset
    }
  }
  return out;
}

/** The run's directory in the artifact proxy, or null when the server does not proxy artifacts (§7). */
export function artifactRoot(run: MlflowRun): string | null {
  if (!run.artifactUri?.startsWith(ARTIFACT_SCHEME)) return null;
  return run.artifactUri.slice(ARTIFACT_SCHEME.length).replace(/^\/+/, '').replace(/\/+$/, '');
}

export function byCreation(a: Asset, b: Asset): number {
  return a.createdAt - b.createdAt || (a.assetId < b.assetId ? -1 : a.assetId > b.assetId ? 1 : 0);
}
