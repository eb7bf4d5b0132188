/** The console's sign-in, session and CSRF rules (SPEC §9), in process, with a fake clock. */
import { describe, expect, test } from "bun:test";
import { signIn, WRONG_KEYS } from "../../src/console/auth.ts";
import { csrfMatches, fromOwnOrigin } from "../../src/console/guard.ts";
import { isBrowserRoot, ownsRequest } from "../../src/console/routing.ts";
import { SESSION_MS, Sessions } from "../../src/console/session.ts";
import { MAX_FAILURES, SignInThrottle, WINDOW_MS } from "../../src/console/throttle.ts";

const SECRET = "s".repeat(40);
const credentials = { accessKey: "AK", secretKey: SECRET };

function clock(start = 1_700_000_000_000) {
  const c = { t: start, now: () => c.t };
  return c;
}

describe("sessions", () => {
  test("a cookie works until it expires, is revoked, or the secret changes", () => {
    const t = clock();
    const sessions = new Sessions(SECRET, t.now);
    const { session, cookie } = sessions.create();
    expect(sessions.verify(cookie)).toEqual(session);
    t.t += SESSION_MS - 1;
    expect(sessions.verify(cookie)).toEqual(session);
    t.t += 1;
    expect(sessions.verify(cookie)).toBeNull();

    const second = sessions.create();
    sessions.revoke(second.session);
    expect(sessions.verify(second.cookie)).toBeNull();

    // The same id under a server whose secret changed: the signature no longer matches.
    const third = sessions.create();
    const changed = new Sessions(`${SECRET}x`, t.now);
    expect(changed.verify(third.cookie)).toBeNull();
  });

  test("a tampered or malformed cookie is refused", () => {
    const sessions = new Sessions(SECRET);
    const { cookie } = sessions.create();
    const [id, exp, sig] = cookie.split(".");
    expect(sessions.verify(`${id}.${Number(exp) + 1000}.${sig}`)).toBeNull();
    // Another last character, whatever the signature ended with (1 in 64 ends with "A").
    const last = sig!.endsWith("A") ? "B" : "A";
    expect(sessions.verify(`${id}.${exp}.${sig!.slice(0, -1)}${last}`)).toBeNull();
    expect(sessions.verify(`${id}.${exp}.${sig}`)).not.toBeNull();
    expect(sessions.verify(`${id}.${exp}`)).toBeNull();
    expect(sessions.verify(`${cookie}.x`)).toBeNull();
    expect(sessions.verify("")).toBeNull();
    expect(sessions.verify(undefined)).toBeNull();
  });

  test("each session has its own CSRF token; only that token matches", () => {
    const sessions = new Sessions(SECRET);
    const a = sessions.create().session;
    const b = sessions.create().session;
    expect(a.csrf).not.toBe(b.csrf);
    expect(csrfMatches(a, a.csrf)).toBe(true);
    expect(csrfMatches(a, b.csrf)).toBe(false);
    expect(csrfMatches(a, "")).toBe(false);
    expect(csrfMatches(a, null)).toBe(false);
  });
});

describe("the sign-in throttle", () => {
  test("10 failures in a minute close sign-in to that address for a minute, a right one too", () => {
    const t = clock();
    const throttle = new SignInThrottle(t.now);
    const sessions = new Sessions(SECRET, t.now);
    const attempt = (secretKey: string, address = "10.0.0.1") =>
      signIn({ accessKey: "AK", secretKey, address, sameOrigin: true }, { credentials, sessions, throttle });
    for (let i = 0; i < MAX_FAILURES; i++) expect(attempt("wrong")).toEqual({ ok: false, status: 401, message: WRONG_KEYS });
    expect(attempt(SECRET)).toMatchObject({ ok: false, status: 429, retryAfter: 60 });
    expect(attempt(SECRET, "10.0.0.2").ok).toBe(true);
    t.t += WINDOW_MS;
    expect(attempt(SECRET).ok).toBe(true);
  });

  test("failures spread over more than a minute never add up to a block", () => {
    const t = clock();
    const throttle = new SignInThrottle(t.now);
    for (let i = 0; i < 3 * MAX_FAILURES; i++) {
      throttle.failed("a");
      t.t += WINDOW_MS / (MAX_FAILURES - 1);
    }
    expect(throttle.retryAfter("a")).toBe(0);
  });

  test("a sign-in posted from another origin is refused before the keys are looked at", () => {
    const throttle = new SignInThrottle();
    const outcome = signIn({ accessKey: "AK", secretKey: SECRET, address: "a", sameOrigin: false }, { credentials, sessions: new Sessions(SECRET), throttle });
    expect(outcome).toMatchObject({ ok: false, status: 403 });
  });
});

describe("the origin rule", () => {
  const req = (headers: Record<string, string>) => new Request("http://pi.local:9000/ui/api/objects/a.mp3", { method: "DELETE", headers });
  test.each([
    [{ Origin: "http://pi.local:9000" }, true],
    [{ Origin: "http://pi.local:9001" }, false],
    [{ Origin: "https://pi.local:9000" }, false],
    [{ Origin: "null" }, false],
    [{}, false],
    [{ "Sec-Fetch-Site": "same-origin" }, true],
    [{ "Sec-Fetch-Site": "same-site" }, false],
    [{ Origin: "http://evil.example", "Sec-Fetch-Site": "cross-site" }, false],
  ])("%j → %p", (headers, ok) => expect(fromOwnOrigin(req(headers))).toBe(ok));
});

describe("which requests are the console's", () => {
  const r = (url: string, headers: Record<string, string> = {}, method = "GET") => new Request(url, { method, headers });
  test.each([
    ["http://pi:9000/ui/", {}, true],
    ["http://pi:9000/ui", {}, true],
    ["http://pi:9000/ui/api/x", {}, true],
    ["http://pi:9000/uix/", {}, false],
    ["http://pi:9000/music/ui/", {}, false],
    ["http://pi:9000/", { Accept: "text/html,application/xhtml+xml" }, true],
    ["http://pi:9000/", { Accept: "*/*" }, false],
    ["http://pi:9000/", {}, false],
    ["http://pi:9000/", { Accept: "text/html", Authorization: "AWS4-HMAC-SHA256 Credential=x" }, false],
    ["http://pi:9000/?X-Amz-Signature=ab&X-Amz-Credential=x", { Accept: "text/html" }, false],
    ["http://music.pi.local:9000/ui/", { Host: "music.pi.local:9000" }, false],
  ])("%s %j → %p", (url, headers, owned) => expect(ownsRequest(r(url, headers))).toBe(owned));

  test("only GET and HEAD of / are a page load", () => {
    expect(isBrowserRoot(r("http://pi/", { Accept: "text/html" }, "POST"), "/", "")).toBe(false);
    expect(isBrowserRoot(r("http://pi/", { Accept: "text/html" }, "HEAD"), "/", "")).toBe(true);
  });
});
