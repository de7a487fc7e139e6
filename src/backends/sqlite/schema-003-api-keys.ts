/**
 * Schema version 3: API keys of the embedded store (src/auth/). A key's secret is never stored: only its
 * SHA-256, which the server looks a presented key up by. Keys are revoked, never deleted, so `keys list`
 * keeps their history and a store that ever had a key never silently falls back to open.
 */
export const SCHEMA_003_API_KEYS = `
CREATE TABLE api_keys (
  id             TEXT PRIMARY KEY,
  name           TEXT,
  secret_sha256  TEXT NOT NULL UNIQUE,
  created_at     INTEGER NOT NULL,
  revoked_at     INTEGER,
  last_used_at   INTEGER
) STRICT;

CREATE TABLE api_key_grants (
  key_id     TEXT NOT NULL REFERENCES api_keys(id) ON DELETE CASCADE,
  workspace  TEXT NOT NULL,
  role       TEXT NOT NULL CHECK (role IN ('read', 'write', 'admin')),
  PRIMARY KEY (key_id, workspace)
) STRICT, WITHOUT ROWID;
`;
