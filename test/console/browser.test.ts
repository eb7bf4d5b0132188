/**
 * The web console in a real browser (SPEC §9): Debian's /usr/bin/chromium
 * driven by playwright-core, against the built executable. One story, in
 * order: wrong secret, sign in, albums with covers, a hostile title shown
 * as text, search as you type, play, upload a folder (a > 16 MiB file in
 * parts and a skipped text file) that appears in an open library view, copy
 * a link and fetch it, delete, a CSRF attempt from another origin, sign
 * out. Each view is saved at 1280 px and 390 px under docs/screenshots/.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { executableCommand } from "../helpers/executable.ts";
import { ACCESS_KEY, ROOT, SECRET_KEY, startServer, tempDir, type TestServer, waitFor, writeSettings } from "../helpers/server.ts";
import { coverPng, taggedWav } from "./media.ts";

/** The little of the DOM the page-side functions use (tsconfig has no DOM lib). */
interface PageAudio {
  currentTime: number;
  paused: boolean;
  error: { code: number } | null;
}
declare const document: {
  getElementById(id: "audio"): PageAudio;
  querySelectorAll(selector: string): ArrayLike<{ naturalWidth: number; src: string }>;
  body: { append(node: unknown): void };
  createElement(tag: "form"): { method: string; action: string; submit(): void };
};

const SHOTS = join(ROOT, "docs", "screenshots");
const XSS_TITLE = "<img src=x onerror=alert(1)>";
const MIB = 1024 * 1024;

let server: TestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let otherSite: ReturnType<typeof Bun.serve>;
const dialogs: string[] = [];
const errors: string[] = [];

async function shoot(p: Page, name: string): Promise<void> {
  for (const [label, width, height] of [["desktop", 1280, 800], ["phone", 390, 844]] as const) {
    await p.setViewportSize({ width, height });
    await p.screenshot({ path: join(SHOTS, `${name}-${label}.png`) });
  }
  await p.setViewportSize({ width: 1280, height: 800 });
}

function write(path: string, bytes: Uint8Array): void {
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, bytes);
}

beforeAll(async () => {
  const command = await executableCommand();
  const home = tempDir("rbs3-console");
  writeSettings(home);
  const music = join(home, "Music");
  write(join(music, "Aurora Lane", "Night Drive", "01 Intro.wav"), taggedWav(6, { title: XSS_TITLE, artist: "Aurora Lane", album: "Night Drive", year: 2019, track: 1 }));
  write(join(music, "Aurora Lane", "Night Drive", "02 Tunnel.wav"), taggedWav(3, { title: "Tunnel", artist: "Aurora Lane", album: "Night Drive", year: 2019, track: 2 }));
  write(join(music, "Aurora Lane", "Night Drive", "cover.png"), coverPng(64, [29, 78, 216], [250, 204, 21]));
  write(join(music, "Basalt", "Slow Water", "01 Ripple.wav"), taggedWav(2, { title: "Ripple", artist: "Basalt", album: "Slow Water", year: 2021, track: 1 }));
  write(join(music, "Basalt", "Slow Water", "folder.png"), coverPng(64, [22, 163, 74], [17, 24, 39]));
  server = await startServer({ command, home });
  otherSite = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("<!doctype html><title>elsewhere</title>", { headers: { "Content-Type": "text/html" } }) });
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
  page.on("dialog", (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    void (d.type() === "confirm" ? d.accept() : d.dismiss());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  await waitFor(async () => (await fetch(`${server.url}/music?list-type=2`).catch(() => null)) !== null, 5000, "server");
}, 240_000);

afterAll(async () => {
  await browser?.close();
  otherSite?.stop(true);
  await server?.[Symbol.asyncDispose]();
});

test("the browser's / lands on the sign-in form; a wrong secret is refused", async () => {
  await page.goto(`${server.url}/`);
  expect(new URL(page.url()).pathname).toBe("/ui/sign-in");
  await page.getByLabel("Access key").fill(ACCESS_KEY);
  await page.getByLabel("Secret key").fill("not-the-secret");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").textContent()).resolves.toBe("Wrong access key or secret key");
  await shoot(page, "sign-in");
}, 60_000);

test("signing in shows the albums with their covers, titles, artists and years", async () => {
  await page.getByLabel("Secret key").fill(SECRET_KEY);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/ui\/$/);
  const cookie = (await context.cookies()).find((c) => c.name === "rbs3_session")!;
  expect({ httpOnly: cookie.httpOnly, sameSite: cookie.sameSite, path: cookie.path }).toEqual({ httpOnly: true, sameSite: "Strict", path: "/ui" });
  // The library fills in as the startup scan parses; the grid follows without a reload.
  await page.getByText("Slow Water").waitFor({ timeout: 15_000 });
  await page.getByText("Night Drive").waitFor({ timeout: 15_000 });
  const grid = await page.locator("ul.albums a.album").allInnerTexts();
  expect(grid.map((t) => t.split("\n").map((s) => s.trim()).filter(Boolean))).toEqual([
    ["Night Drive", "Aurora Lane", "2019"],
    ["Slow Water", "Basalt", "2021"],
  ]);
  await page.waitForFunction(() => [...(document.querySelectorAll("ul.albums img") as unknown as { naturalWidth: number }[])].every((i) => i.naturalWidth === 64));
  const covers = await page.evaluate(() => [...(document.querySelectorAll("ul.albums img") as unknown as { src: string }[])].map((i) => i.src));
  for (const src of covers) {
    const res = await fetch(src, { headers: { Cookie: `rbs3_session=${cookie.value}` } });
    expect(res.headers.get("content-type")).toBe("image/png");
    const etag = res.headers.get("etag")!;
    expect((await fetch(src, { headers: { Cookie: `rbs3_session=${cookie.value}`, "If-None-Match": etag } })).status).toBe(304);
  }
  await shoot(page, "library");
}, 60_000);

test("a title tag of <img src=x onerror=alert(1)> is shown as text and runs nothing", async () => {
  await page.getByRole("link", { name: /Night Drive/ }).click();
  await page.waitForURL(/\/ui\/albums\/\d+$/);
  const titles = await page.locator(".track-title").allTextContents();
  expect(titles).toEqual([XSS_TITLE, "Tunnel"]);
  expect(await page.locator('main img[src="x"]').count()).toBe(0);
  expect(dialogs).toEqual([]);
  await shoot(page, "album");
}, 60_000);

test("Play streams the track: currentTime advances; the bar shows title and artist", async () => {
  await page.getByRole("button", { name: "Play", exact: true }).first().click();
  await page.waitForFunction(() => document.getElementById("audio").currentTime > 1, undefined, { timeout: 20_000 });
  expect(await page.evaluate(() => document.getElementById("audio").error)).toBeNull();
  expect(await page.locator("#now-title").textContent()).toBe(XSS_TITLE);
  expect(await page.locator("#now-artist").textContent()).toBe("Aurora Lane");
  await page.getByRole("button", { name: "Next track" }).click();
  // The old track's currentTime is still > 0.3 until the new one loads: wait for the switch first.
  await page.locator("#now-title", { hasText: "Tunnel" }).waitFor({ timeout: 20_000 });
  await page.waitForFunction(() => document.getElementById("audio").currentTime > 0.3, undefined, { timeout: 20_000 });
  expect(await page.locator("#now-title").textContent()).toBe("Tunnel");
  await shoot(page, "player");
  await page.getByRole("button", { name: "Play or pause" }).click();
  await page.waitForFunction(() => document.getElementById("audio").paused);
}, 60_000);

test("Search finds tracks, albums and artists as you type", async () => {
  await page.getByRole("link", { name: "Library" }).click();
  await page.getByLabel("Search").pressSequentially("ripp");
  await page.locator("#results .track-title", { hasText: "Ripple" }).waitFor();
  expect(await page.locator("#results .album-title").allTextContents()).toEqual(["Slow Water"]);
  await page.getByLabel("Search").fill("aurora");
  await page.locator("#results .track-title", { hasText: "Tunnel" }).waitFor();
  expect(await page.locator("#results .album-title").allTextContents()).toEqual(["Night Drive"]);
  await shoot(page, "search");
  await page.getByRole("link", { name: "Artists" }).click();
  await page.locator("ul.artists a").first().waitFor();
  expect(await page.locator("ul.artists a").allTextContents()).toEqual(["Aurora Lane", "Basalt"]);
  await shoot(page, "artists");
}, 60_000);

test("Upload a folder into a chosen folder, keeping its structure: a > 16 MiB file (multipart, parallel parts) and a text file (skipped); the album appears in an open library view", async () => {
  const library = await context.newPage();
  await library.goto(`${server.url}/ui/`);
  const staging = tempDir("rbs3-upload");
  const big = taggedWav(420, { title: "Long Take", artist: "Cedar", album: "Uploaded Album", year: 2024, track: 1 });
  expect(big.length).toBeGreaterThan(16 * MIB);
  write(join(staging, "Cedar", "Uploaded Album", "01 Long Take.wav"), big);
  write(join(staging, "Cedar", "Uploaded Album", "notes.txt"), new TextEncoder().encode("liner notes"));
  await page.getByRole("link", { name: "Upload" }).click();
  // The folder chosen in Files ("Upload here"), then a folder picked with "Choose a folder".
  await page.goto(`${server.url}/ui/upload?prefix=${encodeURIComponent("Cedar/")}`);
  await expect(page.getByText("Drop audio files or folders here").count()).resolves.toBe(1);
  await expect(page.getByRole("button", { name: "Choose files" }).count()).resolves.toBe(1);
  const multipartRequests: string[] = [];
  page.on("request", (r) => {
    if (r.url().includes("/ui/api/multipart/")) multipartRequests.push(r.url());
  });
  await expect(page.getByRole("button", { name: "Choose a folder" }).count()).resolves.toBe(1);
  // Chromium hands a folder to a page's input only while that page is in front (the library tab was opened last).
  await page.bringToFront();
  await page.locator("#folder-input").setInputFiles(join(staging, "Cedar", "Uploaded Album"));
  await page.getByText("1 uploaded, 1 skipped.").waitFor({ timeout: 60_000 });
  expect((await page.locator("#upload-list li").allTextContents()).sort()).toEqual([
    "Uploaded Album/01 Long Take.wav — uploaded",
    "Uploaded Album/notes.txt — skipped: .txt is not an audio file",
  ]);
  expect(await page.locator("#overall").evaluate((e) => (e as unknown as { value: number }).value)).toBe(1);
  expect(multipartRequests.filter((u) => /\/multipart\/[^/]+\/\d+\?/.test(u)).length).toBe(3);
  expect(readFileSync(join(server.musicDir, "Cedar", "Uploaded Album", "01 Long Take.wav")).equals(Buffer.from(big))).toBe(true);
  expect(existsSync(join(server.musicDir, "Cedar", "Uploaded Album", "notes.txt"))).toBe(false);
  await shoot(page, "upload");
  await library.getByText("Uploaded Album").waitFor({ timeout: 15_000 });
  await library.close();
}, 120_000);

test("Files: folders, Copy link gives a presigned URL that fetches the file, Delete removes a folder after confirming", async () => {
  await page.getByRole("link", { name: "Files" }).click();
  // Reads do not wait like clicks do: wait for the new page before reading it.
  await page.getByRole("link", { name: "Cedar/" }).waitFor();
  expect(await page.locator("tbody td:first-child a").allTextContents()).toEqual(["Aurora Lane/", "Basalt/", "Cedar/"]);
  await page.getByRole("link", { name: "Basalt/" }).click();
  await page.getByRole("link", { name: "Slow Water/" }).click();
  await page.getByRole("button", { name: "Copy link to 01 Ripple.wav" }).click();
  const link = page.getByLabel("Link (valid 7 days)");
  await link.waitFor();
  const url = await link.inputValue();
  expect(url).toContain("X-Amz-Expires=604800");
  expect(await link.evaluate((e) => { const i = e as unknown as { selectionStart: number; selectionEnd: number; value: string }; return i.selectionEnd - i.selectionStart === i.value.length; })).toBe(true);
  const got = await fetch(url);
  expect(got.status).toBe(200);
  expect(Buffer.from(await got.arrayBuffer()).equals(readFileSync(join(server.musicDir, "Basalt", "Slow Water", "01 Ripple.wav")))).toBe(true);
  await shoot(page, "files");

  await page.getByRole("link", { name: "music" }).click();
  await page.getByRole("button", { name: "Delete folder Cedar/" }).click();
  await page.getByRole("link", { name: "Cedar/" }).waitFor({ state: "detached" });
  expect(dialogs.at(-1)).toBe("confirm: Delete the folder Cedar/ and everything in it? This cannot be undone.");
  expect(existsSync(join(server.musicDir, "Cedar", "Uploaded Album", "01 Long Take.wav"))).toBe(false);
  await page.goto(`${server.url}/ui/`);
  await page.getByText("Slow Water").waitFor();
  await waitFor(async () => (await page.reload(), (await page.getByText("Uploaded Album").count()) === 0), 10_000, "the deleted album to leave the library");
}, 60_000);

test("Connect shows the endpoint and access key, the secret only after Show secret; Status shows counts", async () => {
  await page.getByRole("link", { name: "Connect" }).click();
  await page.locator("#endpoint").waitFor();
  expect(await page.locator("#endpoint").textContent()).toBe(new URL(server.url).origin);
  expect(await page.locator("#access-key").textContent()).toBe(ACCESS_KEY);
  expect(await page.content()).not.toContain(SECRET_KEY);
  await shoot(page, "connect");
  await page.getByRole("button", { name: "Show secret" }).click();
  // The secret is fetched when asked for: wait until it has replaced the dots.
  await page.locator("#secret-key", { hasText: SECRET_KEY }).waitFor();
  expect(await page.locator("#secret-key").textContent()).toBe(SECRET_KEY);
  expect(await page.locator("pre.snippet").first().textContent()).toContain(SECRET_KEY);

  await page.getByRole("link", { name: "Status" }).click();
  await page.locator("#count-tracks").waitFor();
  expect(await page.locator("#count-tracks").textContent()).toBe("3");
  expect(await page.locator("#count-albums").textContent()).toBe("2");
  await shoot(page, "status");
}, 60_000);

test("a page on another origin (same site, other port) cannot delete or sign out, even with the cookie", async () => {
  const evil = await context.newPage();
  await evil.goto(`http://127.0.0.1:${otherSite.port}/`);
  const target = `${server.url}/ui/api/folders/${encodeURIComponent("Basalt")}/`;
  await evil.evaluate(async (url) => {
    await fetch(url, { method: "DELETE", credentials: "include", mode: "no-cors" }).catch(() => {});
  }, target);
  const signOut = `${server.url}/ui/api/sign-out`;
  await Promise.all([
    evil.waitForLoadState("load"),
    evil.evaluate((action) => {
      const form = document.createElement("form");
      form.method = "post";
      form.action = action;
      document.body.append(form);
      form.submit();
    }, signOut),
  ]);
  await evil.waitForURL(signOut);
  expect(await evil.content()).toContain("Refused: not from this console.");
  expect(existsSync(join(server.musicDir, "Basalt", "Slow Water", "01 Ripple.wav"))).toBe(true);
  await evil.close();
  await page.goto(`${server.url}/ui/status`);
  expect(new URL(page.url()).pathname).toBe("/ui/status");
}, 60_000);

test("Sign out revokes the session on the server", async () => {
  const cookie = (await context.cookies()).find((c) => c.name === "rbs3_session")!;
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL(/\/ui\/sign-in$/);
  const res = await fetch(`${server.url}/ui/api/library`, { headers: { Cookie: `rbs3_session=${cookie.value}` } });
  expect(res.status).toBe(401);
  expect(errors).toEqual([]);
}, 60_000);
