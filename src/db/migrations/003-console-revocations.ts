import type { Migration } from "./index.ts";

/**
 * Console sessions the user signed out of (SPEC §9). A session cookie checks
 * itself (signed id + expiry), so only revocations need the server; a row
 * is useless once its session has expired, and is deleted then.
 */
export const consoleRevocations: Migration = {
  version: 3,
  name: "console session revocations",
  sql: `
    CREATE TABLE console_revocation (
      session_id TEXT PRIMARY KEY,
      expires_ms INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX console_revocation_expires ON console_revocation (expires_ms);
  `,
};
