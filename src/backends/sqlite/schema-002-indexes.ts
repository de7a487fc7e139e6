/**
 * Schema version 2: secondary indexes. Besides the read paths, every foreign key whose parent can be deleted
 * gets an index on the child column: without one, SQLite scans the whole child table to cascade a delete.
 */
export const SCHEMA_002_INDEXES = `
CREATE INDEX experiments_by_project ON experiments (project_id, archived);
CREATE INDEX experiments_by_parent ON experiments (parent_key, started_at, key);
CREATE INDEX assets_by_experiment ON assets (experiment_key, created_at, id);
CREATE INDEX assets_by_sha256 ON assets (sha256);
CREATE INDEX model_versions_by_experiment ON model_versions (experiment_key);
CREATE INDEX model_aliases_by_version ON model_aliases (version_id);
`;
