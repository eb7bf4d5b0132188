/** Migration 003 and the SQLite revocations behind "Sign out" (SPEC §9), on a real database on disk. */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Sessions } from "../../src/console/session.ts";
import { openDatabase, schemaVersion } from "../../src/db/database.ts";
import { consoleRevocations } from "../../src/db/migrations/003-console-revocations.ts";
import { MIGRATIONS } from "../../src/db/migrations/index.ts";
import { SessionRevocations } from "../../src/db/session-revocations.ts";

function withTempDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), "rockboxd-s3-rev-"));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const hasTable = (db: ReturnType<typeof openDatabase>, name: string) =>
  db.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== null;

describe("migration 003 (console revocations)", () => {
  test("is number 3", () => {
    expect(MIGRATIONS[2]).toBe(consoleRevocations);
  });

  test("from an empty database", () => {
    withTempDir((dir) => {
      const db = openDatabase(join(dir, "lib.db"), MIGRATIONS.slice(0, 3));
      expect(schemaVersion(db)).toBe(3);
      expect(hasTable(db, "console_revocation")).toBe(true);
      db.close();
    });
  });

  test("from a version-2 database: its rows kept, the table added", () => {
    withTempDir((dir) => {
      const path = join(dir, "lib.db");
      const v2 = openDatabase(path, MIGRATIONS.slice(0, 2));
      v2.run("INSERT INTO object (key, size, mtime_ms, etag) VALUES ('a/b.mp3', 3, 1, 'x')");
      v2.run("INSERT INTO artist (id, name) VALUES (1, 'Björk')");
      expect(hasTable(v2, "console_revocation")).toBe(false);
      v2.close();
      const db = openDatabase(path, MIGRATIONS.slice(0, 3));
      expect(schemaVersion(db)).toBe(3);
      expect(db.query("SELECT key FROM object").all()).toEqual([{ key: "a/b.mp3" }]);
      expect(db.query("SELECT name FROM artist").all()).toEqual([{ name: "Björk" }]);
      expect(hasTable(db, "console_revocation")).toBe(true);
      db.close();
    });
  });
});

describe("SessionRevocations", () => {
  test("a signed-out cookie stays refused with a reopened database; rows go once expired", () => {
    withTempDir((dir) => {
      const path = join(dir, "lib.db");
      const clock = { t: 1_700_000_000_000 };
      const now = () => clock.t;
      let db = openDatabase(path);
      const sessions = new Sessions("secret", now, new SessionRevocations(db, now));
      const a = sessions.create();
      const b = sessions.create();
      sessions.revoke(a.session);
      db.close();

      db = openDatabase(path);
      const again = new Sessions("secret", now, new SessionRevocations(db, now));
      expect(again.verify(a.cookie)).toBeNull();
      expect(again.verify(b.cookie)).toEqual(b.session);

      // A later sign-out sweeps rows whose sessions have expired.
      clock.t = a.session.expiresMs;
      const c = again.create();
      again.revoke(c.session);
      expect(db.query("SELECT session_id FROM console_revocation").all()).toEqual([{ session_id: c.session.id }]);
      db.close();
    });
  });
});
