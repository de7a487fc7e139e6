/** A small fetch client for tests that drive the simulator over HTTP and assert whole answers. */
import type { MlflowSim } from './index';

export interface Reply {
  status: number;
  headers: Headers;
  /** Parsed JSON when the answer is JSON, else the text. */
  body: unknown;
}

export interface CallOptions {
  json?: unknown;
  /** Arrays become repeated parameters (`run_ids=a&run_ids=b`). */
  query?: Record<string, string | number | readonly string[]>;
  headers?: Record<string, string>;
  body?: RequestInit['body'];
}

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';

export interface SimClient {
  call(method: Method, path: string, o?: CallOptions): Promise<Reply>;
  get(path: string, query?: CallOptions['query']): Promise<Reply>;
  post(path: string, json: unknown): Promise<Reply>;
  patch(path: string, json: unknown): Promise<Reply>;
  del(path: string, json: unknown): Promise<Reply>;
}

/** `path` is below `/api/2.0/` unless it starts with `/`. `headers` are sent with every call. */
export function simClient(sim: MlflowSim, headers: Record<string, string> = {}): SimClient {
  const call = async (method: Method, path: string, o: CallOptions = {}): Promise<Reply> => {
    const url = new URL(path.startsWith('/') ? `${sim.url}${path}` : `${sim.apiUrl}${path}`);
    for (const [k, v] of Object.entries(o.query ?? {})) {
      for (const item of Array.isArray(v) ? v : [v]) url.searchParams.append(k, String(item));
    }
    const h: Record<string, string> = { ...headers, ...o.headers };
    let body = o.body;
    if (o.json !== undefined) {
      h['Content-Type'] ??= 'application/json';
      body = JSON.stringify(o.json);
    }
    const res = await fetch(url, { method, headers: h, body });
    const text = await res.text();
    const isJson = (res.headers.get('content-type') ?? '').startsWith('application/json');
    return { status: res.status, headers: res.headers, body: isJson ? (JSON.parse(text) as unknown) : text };
  };
  return {
    call,
    get: (path, query) => call('GET', path, { query }),
    post: (path, json) => call('POST', path, { json }),
    patch: (path, json) => call('PATCH', path, { json }),
    del: (path, json) => call('DELETE', path, { json }),
  };
}

