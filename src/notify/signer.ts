/**
 * Standard Webhooks 1.0 signing: `webhook-signature: v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>`,
 * where the key is the base64 part of the `whsec_` secret. During a rotation both secrets sign, the two
 * signatures separated by a space, so receivers holding either one verify.
 */
import { createHmac, randomBytes } from 'node:crypto';

export const SECRET_PREFIX = 'whsec_';

/** A new secret: `whsec_` + 32 random bytes in base64 (the form the `standardwebhooks` libraries take). */
export function newSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64');
}

function keyOf(secret: string): Buffer {
  return Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
}

export function signature(secret: string, id: string, timestampSeconds: number, body: string): string {
  return `v1,${createHmac('sha256', keyOf(secret)).update(`${id}.${timestampSeconds}.${body}`).digest('base64')}`;
}

/** The headers of one attempt: Standard Webhooks', and MLflow's names for receivers written for MLflow. */
export function signedHeaders(secrets: readonly string[], id: string, timestampSeconds: number, body: string): Record<string, string> {
  const signatures = secrets.map((s) => signature(s, id, timestampSeconds, body)).join(' ');
  return {
    'content-type': 'application/json',
    'user-agent': 'TrackQL-Webhooks/1',
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': signatures,
    // Same scheme under MLflow's header names: costs nothing, spares MLflow receivers a change.
    'x-mlflow-delivery-id': id,
    'x-mlflow-timestamp': String(timestampSeconds),
    'x-mlflow-signature': signatures,
  };
}
