/**
 * Schema version 5: blobs waiting to be collected. Deleting an experiment queues the content hashes its
 * assets used, in the same transaction as the delete; collection (blob-gc.ts) later removes each blob no asset
 * row references, deciding and unlinking inside one write transaction. The queue is in the database because
 * the database is the one thing every process sharing the data dir agrees on: a process that crashes between
 * the delete and the collection leaves the work queued for the next one.
 */
export const SCHEMA_005_BLOB_GC = `
CREATE TABLE blob_gc (
  sha256  TEXT PRIMARY KEY
) STRICT, WITHOUT ROWID;
`;
