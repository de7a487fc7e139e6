/**
 * Trusted documents: with `TRACKQL_TRUSTED_DOCUMENTS=<manifest>`, the gateway runs only the operations of a
 * manifest that `npm run codegen` writes (`persisted-documents.json`: `{ "sha256:<hex>": "<document>" }`,
 * the client preset's `persistedDocuments`). A request names its operation by `documentId` (GraphQL over HTTP's
 * persisted documents), by `extensions.persistedQuery.sha256Hash` (Apollo's APQ format), or sends the exact
 * text of a manifest document; anything else is refused with FORBIDDEN (HTTP 403), reason
 * OPERATION_NOT_TRUSTED, before Apollo parses it. FORBIDDEN rather than BAD_USER_INPUT: the request may be
 * perfectly valid GraphQL, this gateway's policy is what refuses it.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../config';
import { BadUserInputError, ErrorCode, TrackqlError } from '../errors';

/** The request parts Apollo reads, after the manifest's text was put in. */
export interface TrustedRequest {
  body: unknown;
  search: string;
}

type Fields = Record<string, unknown>;

function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function notTrusted(detail: string): TrackqlError {
  return new TrackqlError(
    ErrorCode.FORBIDDEN,
    `${detail}: this gateway runs only the operations of its trusted-documents manifest (TRACKQL_TRUSTED_DOCUMENTS); ` +
      'send `documentId` (or extensions.persistedQuery.sha256Hash) of one of them',
    { reason: 'OPERATION_NOT_TRUSTED' },
  );
}

export class TrustedDocuments {
  readonly #byId: ReadonlyMap<string, string>;
  readonly #texts: ReadonlySet<string>;

  constructor(manifest: Readonly<Record<string, string>>) {
    const byId = new Map(Object.entries(manifest));
    // `sha256:<hex>` is the document id; APQ clients send the bare hex as `sha256Hash`.
    for (const [id, text] of Object.entries(manifest)) if (id.startsWith('sha256:')) byId.set(id.slice('sha256:'.length), text);
    this.#byId = byId;
    this.#texts = new Set(byId.values());
  }

  /** Reads and checks a manifest; a missing or malformed one stops the start with one clear line. */
  static load(file: string): TrustedDocuments {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new ConfigError(`TRACKQL_TRUSTED_DOCUMENTS must name a readable JSON manifest (npm run codegen writes persisted-documents.json), got '${file}': ${(error as Error).message}`);
    }
    if (!isObject(parsed) || Object.values(parsed).some((v) => typeof v !== 'string' || v.trim() === '')) {
      throw new ConfigError(`TRACKQL_TRUSTED_DOCUMENTS '${file}' must be a JSON object mapping each document hash to its text`);
    }
    return new TrustedDocuments(parsed as Record<string, string>);
  }

  /** Documents in the manifest. */
  get size(): number {
    return this.#texts.size;
  }

  /** The manifest text a GraphQL request (POST body or GET parameters) names; throws FORBIDDEN otherwise. */
  resolve(method: string, body: unknown, search: string): TrustedRequest {
    if (method === 'GET') {
      const params = new URLSearchParams(search);
      const extensions = parseExtensions(params.get('extensions'));
      const query = this.textOf({ documentId: params.get('documentId') ?? undefined, query: params.get('query') ?? undefined, extensions });
      params.set('query', query);
      params.delete('documentId');
      const rest = withoutPersistedQuery(extensions);
      if (rest) params.set('extensions', JSON.stringify(rest));
      else params.delete('extensions');
      return { body, search: `?${params.toString()}` };
    }
    if (!isObject(body)) throw notTrusted('The request names no operation');
    const { documentId: _id, extensions: _ext, ...fields } = body;
    const rest = withoutPersistedQuery(body.extensions);
    return { body: { ...fields, query: this.textOf(body), ...(rest && { extensions: rest }) }, search };
  }

  /** The text of the operation a request names; the text it sends, if any, must be that very document. */
  textOf(request: { readonly query?: unknown; readonly documentId?: unknown; readonly extensions?: unknown }): string {
    const persisted = isObject(request.extensions) && isObject(request.extensions.persistedQuery) ? request.extensions.persistedQuery : null;
    const id = request.documentId ?? persisted?.sha256Hash;
    if (id !== undefined) {
      if (typeof id !== 'string') throw notTrusted('The document id is not a string');
      const text = this.#byId.get(id);
      if (text === undefined) throw notTrusted(`Document '${id.slice(0, 80)}' is not in the manifest`);
      if (request.query !== undefined && request.query !== text) throw notTrusted('The query sent is not the document its id names');
      return text;
    }
    if (typeof request.query === 'string' && this.#texts.has(request.query)) return request.query;
    throw notTrusted(request.query === undefined ? 'The request names no operation' : 'This operation is not in the manifest');
  }
}

function parseExtensions(raw: string | null): Fields | undefined {
  if (raw === null) return undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (isObject(parsed)) return parsed;
  } catch {
    /* reported below */
  }
  throw new BadUserInputError('The `extensions` parameter must be a JSON object', { reason: 'BAD_REQUEST' });
}

/** The extensions left once the persisted-query one is consumed (Apollo would otherwise look it up itself). */
function withoutPersistedQuery(extensions: unknown): Fields | undefined {
  if (!isObject(extensions)) return undefined;
  const { persistedQuery: _pq, ...rest } = extensions;
  return Object.keys(rest).length > 0 ? rest : undefined;
}
