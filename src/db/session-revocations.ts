/**
 * The console's signed-out sessions in SQLite, so a cookie from before
 * "Sign out" stays refused after a restart. Rows go once their session has
 * expired: the cookie's own expiry refuses it from then on.
 */
import type { Database } from "bun:sqlite";

export class SessionRevocations {
  readonly #insert;
  readonly #has;
  readonly #prune;

  constructor(db: Database, private readonly now: () => number = Date.now) {
    this.#insert = db.query<never, [string, number]>("INSERT OR REPLACE INTO console_revocation (session_id, expires_ms) VALUES (?, ?)");
    this.#has = db.query<{ n: number }, [string]>("SELECT 1 AS n FROM console_revocation WHERE session_id = ?");
    this.#prune = db.query<never, [number]>("DELETE FROM console_revocation WHERE expires_ms <= ?");
  }

  revoke(id: string, expiresMs: number): void {
    this.#prune.run(this.now());
    this.#insert.run(id, expiresMs);
  }

  isRevoked(id: string): boolean {
    return this.#has.get(id) !== null;
  }
}
