/**
 * Requests for the plain HTTP routes beside /graphql: asset downloads (`GET`/`HEAD /assets/<key>/<id>/<name>`),
 * uploads (`PUT /assets/upload`) and `/metrics`, with malformed percent-encoding, oversized segments and
 * headers, hostile `Range` values, tampered or missing tokens, missing segments and wrong methods. Some start
 * from a real signed URL, so the checks behind the token are reached too.
 */
import fc from 'fast-check';
import type { FuzzRequest } from './requests';

/** Signed URLs made by the run's set-up, as path plus query (`/assets/...?token=...`). */
export interface RouteContext {
  readonly downloadPath: string;
  readonly uploadPath: string;
  readonly experimentKeys: readonly string[];
}

const BAD_ESCAPES = ['%', '%A', '%ZZ', '%E0%A4', '%C0%80', '%ED%A0%80', '%FF%FE', '%uD800', 'a%', '%%', '%0', '%00', '%2F', '%2e%2e'];

const segment = (ctx: RouteContext): fc.Arbitrary<string> => fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...BAD_ESCAPES) },
  { weight: 2, arbitrary: fc.constantFrom(...ctx.experimentKeys, '..', '.', '', 'model.pt') },
  { weight: 2, arbitrary: fc.string({ maxLength: 20 }).map(encodeURIComponent) },
  { weight: 1, arbitrary: fc.tuple(fc.string({ maxLength: 8 }), fc.constantFrom(...BAD_ESCAPES)).map(([a, b]) => `${encodeURIComponent(a)}${b}`) },
  // Past Node's 16 KiB header limit (431) and just under it.
  { weight: 1, arbitrary: fc.constantFrom(1_000, 15_000, 20_000).map((n) => 'x'.repeat(n)) },
);

const RANGES = ['bytes=', 'bytes=-', 'bytes=5-1', 'bytes=-0', 'bytes=0-0', 'bytes=0-', 'bytes=-3', 'bytes=99999999999999999999-',
  'bytes=0-99999999999999999999', 'bytes=0-0,1-1', 'items=0-1', 'bytes=a-b', 'bytes=1e3-', ' bytes = 0 - 1 ', 'x'.repeat(5_000)];

const range = fc.option(fc.constantFrom(...RANGES), { freq: 2 });

/** A signed path with one part changed: a segment, the token, or the query as a whole. */
function tampered(path: string): fc.Arbitrary<string> {
  const [base, query = ''] = path.split('?');
  const parts = base.split('/');
  return fc.tuple(fc.nat(), fc.constantFrom(...BAD_ESCAPES, '', 'x'), fc.nat(4)).map(([at, junk, how]) => {
    const index = 2 + (at % Math.max(1, parts.length - 2));
    switch (how) {
      case 0: return `${parts.map((p, i) => (i === index ? junk : p)).join('/')}?${query}`;
      case 1: return `${base}?${query.slice(0, -4)}${junk}`;
      case 2: return base;
      case 3: return `${base}?${query}&token=${junk}`;
      default: return `${base}?token=${junk}${'A'.repeat(at % 3000)}`;
    }
  });
}

function request(label: string, method: FuzzRequest['method'], path: string, headers: Record<string, string> = {}, body?: string): FuzzRequest {
  const [pathname, search = ''] = path.split('?');
  return { label, operation: null, method, path: pathname, search: search ? `?${search}` : '', headers, body };
}

export function routeRequest(ctx: RouteContext): fc.Arbitrary<FuzzRequest> {
  const readMethod = fc.constantFrom('GET' as const, 'HEAD' as const);
  const headers = (r: string | null): Record<string, string> => (r === null ? {} : { range: r });
  return fc.oneof(
    fc.tuple(readMethod, segment(ctx), segment(ctx), segment(ctx), fc.option(fc.string({ maxLength: 40 }).map(encodeURIComponent)), range)
      .map(([method, a, b, c, token, r]) => request('asset download, hostile path', method, `/assets/${a}/${b}/${c}${token === null ? '' : `?token=${token}`}`, headers(r))),
    fc.tuple(readMethod, tampered(ctx.downloadPath), range).map(([method, path, r]) => request('asset download, tampered URL', method, path, headers(r))),
    fc.tuple(readMethod, range).map(([method, r]) => request('asset download, signed URL', method, ctx.downloadPath, headers(r))),
    fc.tuple(readMethod, fc.constantFrom('/assets/', '/assets', '/assets/x', '/assets//', '/assets/x/y', '/assets/upload', '/assets/%A'))
      .map(([method, path]) => request('asset download, missing parts', method, path)),
    fc.tuple(fc.oneof(tampered(ctx.uploadPath), fc.constantFrom('/assets/upload', '/assets/upload?token=', `/assets/upload?token=${'%A'.repeat(50)}`)),
      fc.string({ maxLength: 200 }), fc.constantFrom<Record<string, string>>({}, { 'content-type': 'multipart/form-data; boundary=x' }, { 'content-type': 'application/json' }))
      .map(([path, body, h]) => request('asset upload, bad token', 'PUT', path, h, body)),
    fc.tuple(fc.constantFrom('GET' as const, 'HEAD' as const, 'POST' as const, 'PUT' as const),
      fc.oneof(fc.constant(''), fc.string({ maxLength: 40 }).map((q) => `?${q}`), fc.constantFrom(...BAD_ESCAPES).map((e) => `?name[]=${e}`)),
      fc.constantFrom('/metrics', '/metrics/', '/metrics/%A', '/metrics%2F', '/metrics/../healthz', '/%6Detrics'),
      fc.option(fc.constantFrom('application/openmetrics-text', 'x'.repeat(8_000), '*/*;q=NaN'), { freq: 2 }))
      .map(([method, query, path, accept]) => request(`metrics ${method}`, method, `${path}${query}`, accept === null ? {} : { accept }, method === 'POST' || method === 'PUT' ? '{}' : undefined)),
  );
}
