/**
 * One POST to `/graphql` per call, with the tab's API key. Errors come back as `ApiError` carrying the
 * gateway's stable `extensions.code`; UNAUTHENTICATED also opens the key prompt.
 */
import { useEffect, useState } from 'react';
import { apiKey, requireApiKey, useAuth } from './auth';

export class ApiError extends Error {
  constructor(message: string, readonly code: string) {
    super(message);
    this.name = 'ApiError';
  }
}

interface GraphqlBody<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

export async function gql<T>(query: string, variables: Record<string, unknown>, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  const key = apiKey();
  if (key) headers.authorization = `Bearer ${key}`;
  const res = await fetch('/graphql', { method: 'POST', headers, body: JSON.stringify({ query, variables }), signal });
  let body: GraphqlBody<T>;
  try {
    body = (await res.json()) as GraphqlBody<T>;
  } catch {
    throw new ApiError(`The gateway answered HTTP ${res.status} without a GraphQL body`, 'INTERNAL_SERVER_ERROR');
  }
  const first = body.errors?.[0];
  if (first) {
    const code = first.extensions?.code ?? 'INTERNAL_SERVER_ERROR';
    if (code === 'UNAUTHENTICATED') requireApiKey();
    throw new ApiError(first.message, code);
  }
  if (!body.data) throw new ApiError('The gateway answered without data', 'INTERNAL_SERVER_ERROR');
  return body.data;
}

export interface QueryState<T> {
  data: T | null;
  error: ApiError | null;
  loading: boolean;
}

/**
 * Runs `query` once per distinct set of variables (and again after a new API key); a newer request
 * aborts the older one, so a view never shows an answer to a question no longer asked.
 */
export function useQuery<T>(query: string, variables: Record<string, unknown>, enabled = true): QueryState<T> {
  const { version } = useAuth();
  const signature = JSON.stringify(variables);
  const [state, setState] = useState<QueryState<T>>({ data: null, error: null, loading: enabled });
  useEffect(() => {
    if (!enabled) return;
    const controller = new AbortController();
    setState((s) => ({ ...s, loading: true, error: null }));
    gql<T>(query, JSON.parse(signature) as Record<string, unknown>, controller.signal).then(
      (data) => setState({ data, error: null, loading: false }),
      (err: unknown) => {
        if (controller.signal.aborted) return;
        const error = err instanceof ApiError ? err : new ApiError(err instanceof Error ? err.message : String(err), 'NETWORK');
        setState({ data: null, error, loading: false });
      },
    );
    return () => controller.abort();
  }, [query, signature, version, enabled]);
  return state;
}
