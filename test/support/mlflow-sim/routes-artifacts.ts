/**
 * Artifacts through the server's proxy (§7): PUT, GET (with `Range`) and DELETE of
 * `mlflow-artifacts/artifacts/<path>`, listing with `?path=`, and the run-scoped `mlflow/artifacts/list`.
 * A run's files live below its `artifact_uri` with the `mlflow-artifacts:/` scheme removed.
 */
import { ARTIFACT_SCHEME, Path } from './constants';
import { invalid, notFound } from './errors';
import { paginate } from './paging';
import { empty, json, type Route, type SimResponse } from './route';
import { compact } from './shapes';
import type { SimState } from './state';
import { decodeQuery, str } from './validate';

/** Refuses paths that could leave the artifact root: `..`, `.`, empty segments, a leading slash. */
export function checkArtifactPath(path: string): string {
  if (path === '') return path;
  if (path.startsWith('/') || path.split('/').some((s) => s === '' || s === '.' || s === '..')) {
    throw invalid(`Invalid artifact path: '${path}'`);
  }
  return path;
}

interface FileInfo {
  path: string;
  is_dir: boolean;
  file_size?: number;
}

/** The direct children of `dir`, named `prefix + name`; directories are inferred from deeper files. */
function children(state: SimState, dir: string, prefix: string): FileInfo[] {
  const base = dir === '' ? '' : `${dir}/`;
  const out = new Map<string, FileInfo>();
  for (const [path, bytes] of state.artifacts) {
    if (!path.startsWith(base)) continue;
    const [name, ...rest] = path.slice(base.length).split('/');
    if (rest.length > 0) out.set(name, { path: `${prefix}${name}`, is_dir: true });
    else out.set(name, { path: `${prefix}${name}`, is_dir: false, file_size: bytes.length });
  }
  return [...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, info]) => info);
}

/**
 * `Range: bytes=a-b | a- | -n` (one range; several are answered whole, as RFC 9110 allows).
 * An unsatisfiable range is 416 with `Content-Range: bytes *\/size` (a sim choice, §7).
 */
function download(bytes: Buffer, range: string | undefined): SimResponse {
  const base = { 'Content-Type': 'application/octet-stream', 'Accept-Ranges': 'bytes' };
  const m = range === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(range.trim());
  if (m === null || (m[1] === '' && m[2] === '')) return { kind: 'bytes', status: 200, body: bytes, headers: base };
  const size = bytes.length;
  let start: number;
  let end: number;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || start > end || (m[1] === '' && Number(m[2]) === 0)) {
    return { kind: 'bytes', status: 416, body: Buffer.alloc(0), headers: { ...base, 'Content-Range': `bytes */${size}` } };
  }
  return {
    kind: 'bytes', status: 206, body: bytes.subarray(start, end + 1),
    headers: { ...base, 'Content-Range': `bytes ${start}-${end}/${size}` },
  };
}

function requireFile(state: SimState, path: string): Buffer {
  const bytes = state.artifacts.get(checkArtifactPath(path));
  if (bytes === undefined) throw notFound(`Artifact '${path}' does not exist`);
  return bytes;
}

export const artifactRoutes: readonly Route[] = [
  {
    method: 'PUT',
    name: Path.artifactFile,
    body: 'bytes',
    handle: (req) => {
      if (req.subpath === '') throw invalid('An artifact upload needs a file path');
      req.state.artifacts.set(checkArtifactPath(req.subpath), req.bytes);
      return empty();
    },
  },
  {
    method: 'GET',
    name: Path.artifactFile,
    body: 'none',
    handle: (req) => {
      const range = req.headers.range;
      return download(requireFile(req.state, req.subpath), Array.isArray(range) ? range[0] : range);
    },
  },
  {
    method: 'DELETE',
    name: Path.artifactFile,
    body: 'none',
    handle: (req) => {
      // Deletes the file or the whole directory; a missing path is no error (a sim choice, §7).
      const path = checkArtifactPath(req.subpath);
      for (const key of [...req.state.artifacts.keys()]) {
        if (path === '' || key === path || key.startsWith(`${path}/`)) req.state.artifacts.delete(key);
      }
      return empty();
    },
  },
  {
    method: 'GET',
    name: Path.artifactsList,
    body: 'none',
    handle: (req) => {
      const q = decodeQuery(req.query, { path: str.optional }, Path.artifactsList);
      const dir = checkArtifactPath(q.path ?? '');
      // The proxy names entries relative to the listed directory (a sim choice, §7).
      return json(compact({ files: children(req.state, dir, '') }));
    },
  },
  {
    method: 'GET',
    name: Path.artifactList,
    body: 'none',
    handle: (req) => {
      const q = decodeQuery(req.query, { run_id: str.required, path: str.optional, page_token: str.optional }, Path.artifactList);
      const run = req.state.requireRun(q.run_id);
      const sub = checkArtifactPath(q.path ?? '');
      const proxied = run.artifactUri.startsWith(ARTIFACT_SCHEME);
      const root = run.artifactUri.slice(ARTIFACT_SCHEME.length).replace(/^\/+/, '');
      const dir = sub === '' ? root : `${root}/${sub}`;
      // Paths here are relative to the run's artifact root (§7).
      const files = proxied ? children(req.state, dir, sub === '' ? '' : `${sub}/`) : [];
      const page = paginate(files, Math.max(files.length, 1), q.page_token);
      return json(compact({ root_uri: run.artifactUri, files: page.items, next_page_token: page.nextPageToken }));
    },
  },
];
