/**
 * Optional authentication (§8): by default every call is served and its `Authorization` header only
 * recorded. Configured, a call must carry `Basic base64(user:password)` of a listed user or
 * `Bearer <token>` of a listed token; anything else is 401 with `WWW-Authenticate: Basic`, in plain text
 * as MLflow's basic-auth layer answers (a sim choice for the body).
 */
import { PlainHttpError } from './errors';

export interface AuthOptions {
  basic?: readonly { username: string; password: string }[];
  bearer?: readonly string[];
}

export function checkAuthorization(auth: AuthOptions | undefined, header: string | undefined): void {
  if (auth === undefined) return;
  const refuse = (why: string) => new PlainHttpError(401, `You are not authenticated: ${why}`, { 'WWW-Authenticate': 'Basic realm="mlflow"' });
  if (header === undefined || header === '') throw refuse('no Authorization header');
  const [scheme, credentials = ''] = header.split(' ', 2);
  switch (scheme.toLowerCase()) {
    case 'basic': {
      const text = Buffer.from(credentials, 'base64').toString('utf8');
      const colon = text.indexOf(':');
      const ok = colon > 0 && (auth.basic ?? []).some((u) => u.username === text.slice(0, colon) && u.password === text.slice(colon + 1));
      if (!ok) throw refuse('unknown user or wrong password');
      return;
    }
    case 'bearer':
      if (!(auth.bearer ?? []).includes(credentials)) throw refuse('unknown token');
      return;
    default:
      throw refuse(`unsupported scheme '${scheme}'; use Basic or Bearer`);
  }
}
