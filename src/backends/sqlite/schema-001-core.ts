/**
 * Schema version 1: every table. Conventions:
 * - times are Unix ms (INTEGER); booleans are 0/1;
 * - a metric value is REAL where NULL encodes NaN (SQLite turns NaN into NULL on its own, and values are
 *   otherwise never null); ±Infinity are stored as REAL and round-trip unchanged;
 * - STRICT tables, so a wrong type is an error instead of a silent conversion.
 */
export const SCHEMA_001_CORE = `
CREATE TABLE workspaces (
  name        TEXT PRIMARY KEY,
  created_at  INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE projects (
  id               TEXT PRIMARY KEY,
  workspace        TEXT NOT NULL REFERENCES workspaces(name) ON DELETE CASCADE,
  name             TEXT NOT NULL,
  description      TEXT,
  is_public        INTEGER NOT NULL DEFAULT 0,
  created_at       INTEGER NOT NULL,
  last_updated_at  INTEGER NOT NULL,
  UNIQUE (workspace, name)
) STRICT;

CREATE TABLE experiments (
  key         TEXT PRIMARY KEY,
  project_id  TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  name        TEXT,
  status      TEXT NOT NULL CHECK (status IN ('RUNNING', 'FINISHED', 'FAILED', 'CRASHED')),
  started_at  INTEGER,
  ended_at    INTEGER,
  archived    INTEGER NOT NULL DEFAULT 0,
  parent_key  TEXT REFERENCES experiments(key) ON DELETE SET NULL
) STRICT;

-- One row per (experiment, metric name): the id points reference, and the summary kept current on write.
-- A summary's min/max is the earliest point holding the smallest/largest non-NaN value (the earliest NaN
-- point when every value is NaN); last is the point with the highest (step, timestamp, seq).
CREATE TABLE metrics (
  id              INTEGER PRIMARY KEY,
  experiment_key  TEXT NOT NULL REFERENCES experiments(key) ON DELETE CASCADE,
  name            TEXT NOT NULL,
  next_seq        INTEGER NOT NULL DEFAULT 0,
  count           INTEGER NOT NULL DEFAULT 0,
  last_value      REAL,
  last_step       INTEGER,
  last_timestamp  INTEGER,
  last_seq        INTEGER,
  min_value       REAL,
  min_step        INTEGER,
  min_timestamp   INTEGER,
  min_seq         INTEGER,
  max_value       REAL,
  max_step        INTEGER,
  max_timestamp   INTEGER,
  max_seq         INTEGER,
  UNIQUE (experiment_key, name)
) STRICT;

-- Clustered on the series order (step, timestamp, insertion seq): a range read is one contiguous scan and
-- the primary key doubles as the covering index.
CREATE TABLE metric_points (
  metric_id  INTEGER NOT NULL REFERENCES metrics(id) ON DELETE CASCADE,
  step       INTEGER NOT NULL,
  timestamp  INTEGER NOT NULL,
  seq        INTEGER NOT NULL,
  value      REAL,
  epoch      INTEGER,
  context    TEXT,
  PRIMARY KEY (metric_id, step, timestamp, seq)
) STRICT, WITHOUT ROWID;

-- Per-series rollup over fixed step blocks (see metric-blocks.ts), kept current on write, so downsampling a
-- long series reads one row per block instead of every point.
CREATE TABLE metric_blocks (
  metric_id      INTEGER NOT NULL REFERENCES metrics(id) ON DELETE CASCADE,
  block          INTEGER NOT NULL,
  count          INTEGER NOT NULL,
  min_value      REAL,
  min_step       INTEGER NOT NULL,
  min_timestamp  INTEGER NOT NULL,
  min_seq        INTEGER NOT NULL,
  max_value      REAL,
  max_step       INTEGER NOT NULL,
  max_timestamp  INTEGER NOT NULL,
  max_seq        INTEGER NOT NULL,
  PRIMARY KEY (metric_id, block)
) STRICT, WITHOUT ROWID;

CREATE TABLE parameters (
  experiment_key  TEXT NOT NULL REFERENCES experiments(key) ON DELETE CASCADE,
  name            TEXT NOT NULL,
  value           TEXT NOT NULL,
  -- Numeric copy when the value parses as a finite number, for numeric comparison and sorting.
  value_num       REAL,
  PRIMARY KEY (experiment_key, name)
) STRICT, WITHOUT ROWID;

CREATE TABLE others (
  experiment_key  TEXT NOT NULL REFERENCES experiments(key) ON DELETE CASCADE,
  key             TEXT NOT NULL,
  value           TEXT NOT NULL,
  PRIMARY KEY (experiment_key, key)
) STRICT, WITHOUT ROWID;

CREATE TABLE tags (
  experiment_key  TEXT NOT NULL REFERENCES experiments(key) ON DELETE CASCADE,
  tag             TEXT NOT NULL,
  PRIMARY KEY (experiment_key, tag)
) STRICT, WITHOUT ROWID;

-- Asset metadata; the bytes live in blobs/ under their sha256, shared by identical uploads.
CREATE TABLE assets (
  id              TEXT PRIMARY KEY,
  experiment_key  TEXT NOT NULL REFERENCES experiments(key) ON DELETE CASCADE,
  file_name       TEXT NOT NULL,
  size            INTEGER NOT NULL,
  type            TEXT NOT NULL,
  step            INTEGER,
  created_at      INTEGER NOT NULL,
  metadata        TEXT,
  model_name      TEXT,
  sha256          TEXT NOT NULL
) STRICT;

CREATE TABLE registered_models (
  id           TEXT PRIMARY KEY,
  workspace    TEXT NOT NULL REFERENCES workspaces(name) ON DELETE CASCADE,
  name         TEXT NOT NULL,
  description  TEXT,
  is_public    INTEGER NOT NULL DEFAULT 0,
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL,
  UNIQUE (workspace, name)
) STRICT;

CREATE TABLE model_versions (
  id                     TEXT PRIMARY KEY,
  model_id               TEXT NOT NULL REFERENCES registered_models(id) ON DELETE CASCADE,
  version                TEXT NOT NULL,
  stage                  TEXT,
  status                 TEXT,
  tags                   TEXT NOT NULL DEFAULT '[]',
  comment                TEXT,
  experiment_key         TEXT REFERENCES experiments(key) ON DELETE SET NULL,
  experiment_model_name  TEXT,
  created_at             INTEGER NOT NULL,
  UNIQUE (model_id, version)
) STRICT;

-- The primary key makes an alias point at one version of a model at a time.
CREATE TABLE model_aliases (
  model_id    TEXT NOT NULL REFERENCES registered_models(id) ON DELETE CASCADE,
  alias       TEXT NOT NULL,
  version_id  TEXT NOT NULL REFERENCES model_versions(id) ON DELETE CASCADE,
  PRIMARY KEY (model_id, alias)
) STRICT, WITHOUT ROWID;
`;
