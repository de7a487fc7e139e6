/**
 * Schema version 7: run details. One row of details per experiment (JSON for the structured parts, read
 * whole), output lines append-only and clustered by offset (a page is one range scan), curves in logging
 * order, and a project's notes as a column of its own.
 */
export const SCHEMA_007_RUN_DETAILS = `
CREATE TABLE run_details (
  experiment_key     TEXT PRIMARY KEY REFERENCES experiments(key) ON DELETE CASCADE,
  code               TEXT,
  system_json        TEXT,
  git_json           TEXT,
  html               TEXT,
  model_graph        TEXT,
  dependencies_json  TEXT
) STRICT, WITHOUT ROWID;

CREATE TABLE output_lines (
  experiment_key  TEXT NOT NULL REFERENCES experiments(key) ON DELETE CASCADE,
  line_no         INTEGER NOT NULL,
  stream          TEXT NOT NULL CHECK (stream IN ('STDOUT', 'STDERR')),
  text            TEXT NOT NULL,
  timestamp       INTEGER,
  PRIMARY KEY (experiment_key, line_no)
) STRICT, WITHOUT ROWID;

CREATE INDEX output_lines_by_stream ON output_lines (experiment_key, stream, line_no);

CREATE TABLE curves (
  id              INTEGER PRIMARY KEY,
  experiment_key  TEXT NOT NULL REFERENCES experiments(key) ON DELETE CASCADE,
  name            TEXT NOT NULL,
  step            INTEGER,
  x_json          TEXT NOT NULL,
  y_json          TEXT NOT NULL
) STRICT;

CREATE INDEX curves_by_experiment ON curves (experiment_key, name, step);

ALTER TABLE projects ADD COLUMN notes TEXT;
`;
