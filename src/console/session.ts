/**
 * Console sessions (SPEC §9). The cookie carries everything needed to check
 * it: a random id and its expiry, signed (HMAC-SHA256) with a key derived
 * from the secret key. So a session survives a restart, and stops working
 * the moment the secret changes (the key it was signed with is gone) or it
 * expires (7 days). The server keeps only what a cookie cannot say about
 * itself: that "Sign out" revoked it — in the database, until its expiry.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export const SESSION_COOKIE = "rbs3_session";

/** Two secrets-derived strings compared in constant time (keys, cookie MACs, CSRF tokens). */
export function equalText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
export const SESSION_MS = 7 * 24 * 3600 * 1000;

export interface Session {
  id: string;
  /** Sent with every state-changing request (header X-CSRF-Token or form field csrf); derived from the id. */
  csrf: string;
  expiresMs: number;
}

/** Signed-out sessions, kept until they would have expired (main.ts gives the SQLite table). */
export interface Revocations {
  revoke(id: string, expiresMs: number): void;
  isRevoked(id: string): boolean;
}

/** For a console without a database (unit tests): forgotten on restart. */
export class MemoryRevocations implements Revocations {
  readonly #ids = new Set<string>();
  revoke(id: string): void {
    this.#ids.add(id);
  }
  isRevoked(id: string): boolean {
    return this.#ids.has(id);
  }
}

export class Sessions {
  readonly #key: Buffer;

  constructor(
    secretKey: string,
    private readonly now: () => number = Date.now,
    private readonly revocations: Revocations = new MemoryRevocations(),
  ) {
    // A key of its own, not the secret itself: an HMAC under the secret is what SigV4 signs with.
    this.#key = createHmac("sha256", secretKey).update("rockboxd-s3 console session v1").digest();
  }

  /** A new session and the cookie value that names it. */
  create(): { session: Session; cookie: string } {
    const id = randomBytes(24).toString("base64url");
    const session = this.#session(id, this.now() + SESSION_MS);
    return { session, cookie: `${id}.${session.expiresMs}.${this.#mac(`${id}.${session.expiresMs}`)}` };
  }

  /** The session a cookie value names, if its signature and expiry hold and it was not signed out. */
  verify(cookie: string | undefined): Session | null {
    if (!cookie) return null;
    const [id, expires, sig, extra] = cookie.split(".");
    if (!id || !expires || !sig || extra !== undefined || !/^\d+$/.test(expires)) return null;
    if (!equalText(sig, this.#mac(`${id}.${expires}`))) return null;
    const expiresMs = Number(expires);
    if (expiresMs <= this.now() || this.revocations.isRevoked(id)) return null;
    return this.#session(id, expiresMs);
  }

  revoke(session: Session): void {
    this.revocations.revoke(session.id, session.expiresMs);
  }

  #session(id: string, expiresMs: number): Session {
    return { id, csrf: this.#mac(`csrf\0${id}`), expiresMs };
  }

  #mac(text: string): string {
    return createHmac("sha256", this.#key).update(text).digest("base64url");
  }
}
