/**
 * The console over plain HTTP against a real server (SPEC §9): where it
 * answers, that S3 keeps everything else, sign-in and sign-out, the CSRF
 * rule changing nothing when it refuses, no CORS headers, the throttle,
 * and the session dying with a changed secret.
 */
import { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ACCESS_KEY, SECRET_KEY, startServer, waitFor, type TestServer } from "../helpers/server.ts";
import { sineWav } from "../helpers/wav.ts";
import { coverPng, taggedWav, wavWithPicture } from "./media.ts";

async function signIn(s: TestServer, secret = SECRET_KEY): Promise<Response> {
  return fetch(`${s.url}/ui/api/sign-in`, {
    method: "POST",
    redirect: "manual",
    headers: { Origin: new URL(s.url).origin, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ access_key: ACCESS_KEY, secret_key: secret }),
  });
}

async function session(s: TestServer): Promise<{ cookie: string; csrf: string }> {
  const res = await signIn(s);
  expect(res.status).toBe(303);
  const cookie = res.headers.get("set-cookie")!.split(";")[0]!;
  const page = await (await fetch(`${s.url}/ui/`, { headers: { Cookie: cookie } })).text();
  return { cookie, csrf: /data-csrf="([^"]+)"/.exec(page)![1]! };
}

describe("routing", () => {
  test("a browser's GET / goes to /ui/; S3 requests to / and to buckets stay S3", async () => {
    await using s = await startServer();
    const browser = await fetch(`${s.url}/`, { redirect: "manual", headers: { Accept: "text/html,application/xhtml+xml,*/*;q=0.8" } });
    expect([browser.status, browser.headers.get("location")]).toEqual([303, "/ui/"]);
    const any = await fetch(`${s.url}/`, { redirect: "manual", headers: { Accept: "*/*" } });
    expect([any.status, any.headers.get("content-type")]).toEqual([403, "application/xml"]);
    const ui = await fetch(`${s.url}/ui/`, { redirect: "manual" });
    expect([ui.status, ui.headers.get("location")]).toEqual([303, "/ui/sign-in"]);
    const form = await fetch(`${s.url}/ui/sign-in`);
    const text = await form.text();
    expect(form.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(text).toContain('<label for="access_key">Access key</label>');
    expect(text).toContain('<label for="secret_key">Secret key</label>');
    expect(text).toContain(">Sign in</button>");
  });

  test("s3_console = false: /ui/ answers as S3 does for any other bucket name", async () => {
    await using s = await startServer({ settings: "s3_console = false\n" });
    const ui = await fetch(`${s.url}/ui/`, { redirect: "manual", headers: { Accept: "text/html" } });
    const other = await fetch(`${s.url}/xyz/`, { redirect: "manual", headers: { Accept: "text/html" } });
    expect(ui.status).toBe(other.status);
    expect((await ui.text()).replace(/<(RequestId|HostId|Resource)>[^<]*<\/\1>/g, "")).toBe((await other.text()).replace(/<(RequestId|HostId|Resource)>[^<]*<\/\1>/g, ""));
    const root = await fetch(`${s.url}/`, { redirect: "manual", headers: { Accept: "text/html" } });
    expect(root.status).toBe(403);
  });
});

describe("sign-in, the CSRF rule, sign-out", () => {
  test("wrong keys, then a session; refused writes change nothing; sign-out revokes", async () => {
    await using s = await startServer();
    const wrong = await signIn(s, "not the secret");
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain("Wrong access key or secret key");

    const res = await signIn(s);
    const setCookie = res.headers.get("set-cookie")!;
    expect(setCookie).toMatch(/^rbs3_session=[^;]+; Max-Age=604800; Path=\/ui; HttpOnly; SameSite=Strict$/);
    const { cookie, csrf } = await session(s);

    const origin = new URL(s.url).origin;
    const put = (headers: Record<string, string>) =>
      fetch(`${s.url}/ui/api/objects/a/b.wav`, { method: "PUT", headers: { Cookie: cookie, ...headers }, body: sineWav(1) });
    const target = join(s.musicDir, "a", "b.wav");
    for (const headers of <Record<string, string>[]>[
      { Origin: "http://127.0.0.1:1", "X-CSRF-Token": csrf },
      { Origin: origin },
      { Origin: origin, "X-CSRF-Token": "nope" },
      { "X-CSRF-Token": csrf },
      { "Sec-Fetch-Site": "same-site", "X-CSRF-Token": csrf },
    ]) {
      const refused = await put(headers);
      expect({ headers, status: refused.status }).toEqual({ headers, status: 403 });
      expect(existsSync(target)).toBe(false);
    }
    const ok = await put({ Origin: origin, "X-CSRF-Token": csrf, "Content-Type": "audio/wav" });
    expect(ok.status).toBe(200);
    expect(readFileSync(target)).toEqual(Buffer.from(sineWav(1)));

    // Console answers carry no CORS headers, whatever the Origin.
    const api = await fetch(`${s.url}/ui/api/library`, { headers: { Cookie: cookie, Origin: "http://evil.example" } });
    expect(api.status).toBe(200);
    expect([...api.headers.keys()].filter((h) => h.startsWith("access-control-"))).toEqual([]);
    const preflight = await fetch(`${s.url}/ui/api/objects/x.mp3`, {
      method: "OPTIONS",
      headers: { Origin: "http://evil.example", "Access-Control-Request-Method": "PUT" },
    });
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();

    const del = (headers: Record<string, string>) => fetch(`${s.url}/ui/api/objects/a/b.wav`, { method: "DELETE", headers: { Cookie: cookie, ...headers } });
    expect((await del({ Origin: "http://localhost:9", "X-CSRF-Token": csrf })).status).toBe(403);
    expect(existsSync(target)).toBe(true);

    const out = await fetch(`${s.url}/ui/api/sign-out`, { method: "POST", headers: { Cookie: cookie, Origin: origin, "X-CSRF-Token": csrf } });
    expect(out.status).toBe(204);
    expect((await fetch(`${s.url}/ui/api/library`, { headers: { Cookie: cookie } })).status).toBe(401);
    expect((await del({ Origin: origin, "X-CSRF-Token": csrf })).status).toBe(401);
    expect(existsSync(target)).toBe(true);
  });

  test("10 failures a minute from one address: 429, the right keys too", async () => {
    await using s = await startServer();
    for (let i = 0; i < 10; i++) expect((await signIn(s, `wrong ${i}`)).status).toBe(401);
    const blocked = await signIn(s);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(50);
    expect(blocked.headers.get("set-cookie")).toBeNull();
  });

  test("a session survives a plain restart, and dies when the secret key changes and the server restarts", async () => {
    const first = await startServer();
    const { cookie, csrf } = await session(first);
    const library = (url: string) => fetch(`${url}/ui/api/library`, { headers: { Cookie: cookie } });
    expect((await library(first.url)).status).toBe(200);
    await first.stop();

    // Same settings: the signed cookie checks itself, no server memory needed; its CSRF token too.
    const second = await startServer({ home: first.home });
    expect((await library(second.url)).status).toBe(200);
    const page = await (await fetch(`${second.url}/ui/`, { headers: { Cookie: cookie } })).text();
    expect(/data-csrf="([^"]+)"/.exec(page)![1]).toBe(csrf);
    await second.stop();

    writeFileSync(first.configPath, readFileSync(first.configPath, "utf8").replace(SECRET_KEY, `${SECRET_KEY.slice(0, -1)}9`));
    await using third = await startServer({ home: first.home });
    expect((await library(third.url)).status).toBe(401);
    expect((await fetch(`${third.url}/ui/`, { headers: { Cookie: cookie }, redirect: "manual" })).headers.get("location")).toBe("/ui/sign-in");
  });

  test("a signed-out cookie stays refused after a restart", async () => {
    const first = await startServer();
    const { cookie, csrf } = await session(first);
    const other = await session(first);
    const origin = new URL(first.url).origin;
    const out = await fetch(`${first.url}/ui/api/sign-out`, { method: "POST", headers: { Cookie: cookie, Origin: origin, "X-CSRF-Token": csrf } });
    expect(out.status).toBe(204);
    await first.stop();

    await using second = await startServer({ home: first.home });
    expect((await fetch(`${second.url}/ui/api/library`, { headers: { Cookie: cookie } })).status).toBe(401);
    // Only that session: another one signed in before stays good.
    expect((await fetch(`${second.url}/ui/api/library`, { headers: { Cookie: other.cookie } })).status).toBe(200);
  });
});

describe("covers", () => {
  function put(path: string, bytes: Uint8Array): void {
    mkdirSync(join(path, ".."), { recursive: true });
    writeFileSync(path, bytes);
  }

  /** The album's id, from the Library grid (its title is the link's text). */
  async function albumId(s: TestServer, cookie: string, title: string): Promise<number> {
    const page = await (await fetch(`${s.url}/ui/`, { headers: { Cookie: cookie } })).text();
    const card = page.split('href="/ui/albums/').find((part) => part.split("</a>")[0]!.includes(title));
    return Number(/^\d+/.exec(card!)![0]);
  }

  test("an embedded front cover, a folder image that comes later, none: served from what the library recorded", async () => {
    await using s = await startServer();
    const { cookie } = await session(s);
    const picture = coverPng(32, [200, 30, 30], [30, 30, 200]);
    put(join(s.musicDir, "Embedded", "01.wav"), wavWithPicture(0.3, { title: "One", artist: "Ember", album: "Embedded" }, picture));
    put(join(s.musicDir, "Plain", "01.wav"), taggedWav(0.3, { title: "Two", artist: "Flat", album: "Plain" }));
    const tracks = async () => (await (await fetch(`${s.url}/ui/api/library`, { headers: { Cookie: cookie } })).json()) as { tracks: number };
    await waitFor(async () => (await tracks()).tracks === 2, 10_000, "both tracks indexed");

    // Recorded when parsed, so serving needs no look on disk.
    const recorded = new Database(s.dbPath, { readonly: true });
    expect(recorded.query("SELECT rel_path, cover_embedded, cover_image FROM track ORDER BY rel_path").all()).toEqual([
      { rel_path: "Embedded/01.wav", cover_embedded: 1, cover_image: "" },
      { rel_path: "Plain/01.wav", cover_embedded: 0, cover_image: "" },
    ]);
    recorded.close();

    const embedded = `${s.url}/ui/covers/${await albumId(s, cookie, "Embedded")}`;
    const first = await fetch(embedded, { headers: { Cookie: cookie } });
    expect(first.status).toBe(200);
    expect(first.headers.get("content-type")).toBe("image/png");
    expect(Buffer.from(await first.arrayBuffer()).equals(Buffer.from(picture))).toBe(true);
    const etag = first.headers.get("etag");
    expect(etag).toMatch(/^"[^"]+"$/);
    const again = await fetch(embedded, { headers: { Cookie: cookie, "If-None-Match": etag! } });
    expect([again.status, again.headers.get("etag"), (await again.arrayBuffer()).byteLength]).toEqual([304, etag, 0]);

    const plain = `${s.url}/ui/covers/${await albumId(s, cookie, "Plain")}`;
    const none = await fetch(plain, { headers: { Cookie: cookie } });
    expect([none.status, none.headers.get("x-cover"), none.headers.get("etag")]).toEqual([200, "none", null]);

    // folder.png copied in beside the tracks later: the watcher hands it over, the album has a cover now.
    const folder = coverPng(16, [10, 200, 10], [0, 0, 0]);
    put(join(s.musicDir, "Plain", "Folder.PNG"), folder);
    const served = await waitFor(async () => {
      const r = await fetch(plain, { headers: { Cookie: cookie } });
      return r.headers.get("x-cover") === "none" ? null : Buffer.from(await r.arrayBuffer());
    }, 10_000, "the folder image served");
    expect(served.equals(Buffer.from(folder))).toBe(true);
    rmSync(join(s.musicDir, "Plain", "Folder.PNG"));
    await waitFor(async () => (await fetch(plain, { headers: { Cookie: cookie } })).headers.get("x-cover") === "none", 10_000, "back to none");
  });

  test("a cover.jpg added while nobody watched: the startup reconcile records it, the console serves it", async () => {
    const first = await startServer();
    const { cookie } = await session(first);
    put(join(first.musicDir, "Quiet", "01.wav"), taggedWav(0.3, { title: "Hush", artist: "Mute", album: "Quiet" }));
    const url = async (s: TestServer) => `${s.url}/ui/covers/${await albumId(s, cookie, "Quiet")}`;
    await waitFor(async () => (await fetch(await url(first), { headers: { Cookie: cookie } })).headers.get("x-cover") === "none", 10_000, "indexed, no cover");
    await first.stop();

    const image = coverPng(16, [200, 200, 10], [0, 0, 0]);
    put(join(first.musicDir, "Quiet", "cover.jpg"), image);
    await using second = await startServer({ home: first.home });
    const served = await waitFor(async () => {
      const r = await fetch(await url(second), { headers: { Cookie: cookie } });
      return r.headers.get("x-cover") === "none" ? null : Buffer.from(await r.arrayBuffer());
    }, 10_000, "the cover recorded by the reconcile");
    expect(served.equals(Buffer.from(image))).toBe(true);
    const recorded = new Database(second.dbPath, { readonly: true });
    expect(recorded.query("SELECT cover_image FROM track").all()).toEqual([{ cover_image: "cover.jpg" }]);
    recorded.close();
  });
});

describe("pages", () => {
  test("an album of 205 tracks is paginated, 200 a page, in playing order", async () => {
    await using s = await startServer();
    const { cookie } = await session(s);
    const wav = (n: number) => taggedWav(0.05, { title: `Part ${n}`, artist: "Longform", album: "Box Set", track: n });
    mkdirSync(join(s.musicDir, "Box Set"), { recursive: true });
    for (let n = 1; n <= 205; n++) writeFileSync(join(s.musicDir, "Box Set", `${String(n).padStart(3, "0")}.wav`), wav(n));
    const library = async () => (await (await fetch(`${s.url}/ui/api/library`, { headers: { Cookie: cookie } })).json()) as { tracks: number };
    await waitFor(async () => (await library()).tracks === 205, 20_000, "all tracks indexed");
    const grid = await (await fetch(`${s.url}/ui/`, { headers: { Cookie: cookie } })).text();
    const id = /href="\/ui\/albums\/(\d+)"/.exec(grid)![1];
    const titles = async (page: number) => {
      const html = await (await fetch(`${s.url}/ui/albums/${id}?page=${page}`, { headers: { Cookie: cookie } })).text();
      return [...html.matchAll(/class="track-title"[^>]*>([^<]*)</g)].map((m) => m[1]);
    };
    const first = await titles(1);
    expect(first.length).toBe(200);
    expect([first[0], first[199]]).toEqual(["Part 1", "Part 200"]);
    expect(await titles(2)).toEqual(["Part 201", "Part 202", "Part 203", "Part 204", "Part 205"]);
  }, 60_000);
});
