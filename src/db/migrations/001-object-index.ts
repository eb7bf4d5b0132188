import type { Migration } from "./index.ts";

/**
 * The object index: one row per visible object (audio file or empty folder),
 * so listings cost time per page, not per library. `key` uses SQLite's BINARY
 * collation over UTF-8 text, which is exactly S3's UTF-8 byte order.
 */
export const objectIndex: Migration = {
  version: 1,
  name: "object index",
  sql: `
    CREATE TABLE object (
      key              TEXT PRIMARY KEY,
      size             INTEGER NOT NULL,
      mtime_ms         INTEGER NOT NULL,
      inode            INTEGER NOT NULL DEFAULT 0,
      etag             TEXT NOT NULL,
      etag_provisional INTEGER NOT NULL DEFAULT 0,
      content_type     TEXT,
      meta             TEXT,
      checksums        TEXT
    ) WITHOUT ROWID;
    CREATE INDEX object_provisional ON object (etag_provisional) WHERE etag_provisional = 1;
  `,
};
