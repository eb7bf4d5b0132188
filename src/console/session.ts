/**
 * Console sessions (SPEC §9): a random id the server keeps, in a cookie
 * signed with a key derived from the secret key, so a cookie stops working
 * the moment the secret changes (the key it was signed with is gone), when
 * it expires (7 days) or when "Sign out" forgets the id. Kept in memory:
 * a restart signs everyone out, which a single-user Pi can afford.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export const SESSION_COOKIE = "rbs3_session";
export const SESSION_MS = 7 * 24 * 3600 * 1000;
/** More live sessions than one household has browsers; the oldest goes first. */
const MAX_SESSIONS = 1000;

export interface Session {
  id: string;
  /** Sent with every state-changing request (header X-CSRF-Token or form field csrf). */
  csrf: string;
  expiresMs: number;
}

export class Sessions {
  readonly #live = new Map<string, Session>();
  readonly #key: Buffer;

  constructor(secretKey: string, private readonly now: () => number = Date.now) {
    // A key of its own, not the secret itself: an HMAC under the secret is what SigV4 signs with.
    this.#key = createHmac("sha256", secretKey).update("rockboxd-s3 console session v1").digest();
  }

  /** A new session and the cookie value that names it. */
  create(): { session: Session; cookie: string } {
    this.#prune();
    const session: Session = { id: token(), csrf: token(), expiresMs: this.now() + SESSION_MS };
    this.#live.set(session.id, session);
    if (this.#live.size > MAX_SESSIONS) this.#live.delete(this.#live.keys().next().value!);
    return { session, cookie: `${session.id}.${session.expiresMs}.${this.#sign(session.id, session.expiresMs)}` };
  }

  /** The session a cookie value names, if its signature, its expiry and the server all agree. */
  verify(cookie: string | undefined): Session | null {
    if (!cookie) return null;
    const [id, expires, sig, extra] = cookie.split(".");
    if (!id || !expires || !sig || extra !== undefined) return null;
    const expiresMs = Number(expires);
    const expected = Buffer.from(this.#sign(id, expiresMs));
    const given = Buffer.from(sig);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    const session = this.#live.get(id);
    if (!session || session.expiresMs !== expiresMs || session.expiresMs <= this.now()) return null;
    return session;
  }

  revoke(id: string): void {
    this.#live.delete(id);
  }

  #sign(id: string, expiresMs: number): string {
    return createHmac("sha256", this.#key).update(`${id}.${expiresMs}`).digest("base64url");
  }

  #prune(): void {
    const now = this.now();
    for (const [id, s] of this.#live) if (s.expiresMs <= now) this.#live.delete(id);
  }
}

function token(): string {
  return randomBytes(24).toString("base64url");
}
