/**
 * Schema version 4: idempotency records (see `IdempotencyClaim` in port.ts). One row per (API key id,
 * client key), written in the same transaction as the write it stands for, so a crash leaves both or
 * neither. Rows older than 24 hours are pruned lazily by later writes (idempotency.ts).
 */
export const SCHEMA_004_IDEMPOTENCY = `
CREATE TABLE idempotency (
  key_id           TEXT NOT NULL,
  idempotency_key  TEXT NOT NULL,
  operation        TEXT NOT NULL,
  payload_hash     TEXT NOT NULL,
  result_json      TEXT NOT NULL,
  created_at       INTEGER NOT NULL,
  PRIMARY KEY (key_id, idempotency_key)
) STRICT, WITHOUT ROWID;

CREATE INDEX idempotency_by_age ON idempotency (created_at);
`;
