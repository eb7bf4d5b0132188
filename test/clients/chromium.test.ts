/**
 * A real browser: Debian's /usr/bin/chromium driven by playwright-core,
 * against the built executable. Pages are served by a second and third
 * Bun.serve on other ports, so every call to rockboxd-s3 is cross-origin.
 * s3_cors_origins names the first page's origin only.
 *
 * The allowed page PUTs a WAV to a presigned URL (minio-js makes the URLs),
 * reads it back with fetch (whole, with credentials, and a Range), and
 * plays a presigned GET in an <audio crossorigin="use-credentials">. The
 * other page is blocked where CORS applies, and, as on any S3, can still
 * play a presigned URL in a plain <audio>: the signature is what guards
 * an object, not the origin.
 *
 * Headless Chromium needs no sound device or audio flag: without one it
 * plays to a fake output whose clock runs in real time. --no-sandbox is for
 * root in a container (playwright adds it too); --autoplay-policy lets
 * play() start without a click (page.evaluate already counts as one, a
 * page's own script would not). The tests run in order, as one story: the
 * file the first one uploads is the one the others fetch and play.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import * as Minio from "minio";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { quotedMd5 } from "../helpers/bytes.ts";
import { executableCommand } from "../helpers/executable.ts";
import { ACCESS_KEY, SECRET_KEY, startServer, type TestServer } from "../helpers/server.ts";
import { sineWav } from "../helpers/wav.ts";

/** The little of the DOM the page-side functions use (they run in Chromium; tsconfig has no DOM lib). */
interface PageAudio {
  id: string;
  src: string;
  crossOrigin: string | null;
  currentTime: number;
  duration: number;
  error: { code: number } | null;
  play(): Promise<void>;
}
declare const document: {
  querySelector(selector: "audio"): PageAudio;
  getElementById(id: string): PageAudio;
  body: { append(node: PageAudio): void };
};
declare const Audio: new (src: string) => PageAudio;

const WAV = sineWav(4);
const PAGE = `<!doctype html><meta charset="utf-8"><title>A page on another origin</title><audio controls></audio>`;

/** A site of its own: the page and the audio file the page will upload. */
function pageServer(): ReturnType<typeof Bun.serve> {
  return Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (req) =>
      new URL(req.url).pathname === "/sine.wav"
        ? new Response(WAV, { headers: { "Content-Type": "audio/wav" } })
        : new Response(PAGE, { headers: { "Content-Type": "text/html; charset=utf-8" } }),
  });
}

let server: TestServer;
let allowedSite: ReturnType<typeof Bun.serve>;
let otherSite: ReturnType<typeof Bun.serve>;
let browser: Browser;
let mc: Minio.Client;
/** The pages' console, for the blocked-by-CORS messages and for a failure's diagnosis. */
const log: string[] = [];
const timings: string[] = [];

async function openPage(site: ReturnType<typeof Bun.serve>): Promise<Page> {
  const page = await browser.newPage();
  page.on("console", (m) => log.push(`console ${m.type()}: ${m.text()}`));
  page.on("pageerror", (e) => log.push(`page error: ${e.message}`));
  await page.goto(`http://127.0.0.1:${site.port}/`);
  return page;
}

const timed = async <T>(label: string, fn: () => Promise<T>): Promise<T> => {
  const t0 = performance.now();
  try {
    return await fn();
  } finally {
    timings.push(`${label}: ${Math.round(performance.now() - t0)} ms`);
  }
};

beforeAll(async () => {
  const command = await timed("build the executable", executableCommand);
  allowedSite = pageServer();
  otherSite = pageServer();
  server = await timed("start rockboxd-s3", () =>
    startServer({ command, settings: `s3_cors_origins = ["http://127.0.0.1:${allowedSite.port}"]\n` }),
  );
  mc = new Minio.Client({
    endPoint: "127.0.0.1", port: server.port, useSSL: false, accessKey: ACCESS_KEY, secretKey: SECRET_KEY, region: "us-east-1",
  });
  browser = await timed("launch chromium", () =>
    chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--autoplay-policy=no-user-gesture-required"] }),
  );
}, 180_000);

afterAll(async () => {
  await browser?.close();
  allowedSite?.stop(true);
  otherSite?.stop(true);
  await server?.[Symbol.asyncDispose]();
  console.log(timings.join("\n"));
});

describe("a page on an allowed origin", () => {
  const key = "browser/sine wave.wav";

  test("PUTs a file to a presigned URL and reads the ETag", async () => {
    const page = await openPage(allowedSite);
    const putUrl = await mc.presignedPutObject("music", key, 600);
    const put = await timed("page: PUT 4 s WAV", () =>
      page.evaluate(async (url) => {
        const wav = await (await fetch("/sine.wav")).arrayBuffer();
        // audio/wav is no CORS-safelisted Content-Type, and PUT no simple method: a preflight comes first.
        const res = await fetch(url, { method: "PUT", body: wav, headers: { "Content-Type": "audio/wav" } });
        return { status: res.status, etag: res.headers.get("ETag"), requestId: res.headers.get("x-amz-request-id") !== null };
      }, putUrl),
    );
    expect(put).toEqual({ status: 200, etag: quotedMd5(WAV), requestId: true });
    expect(quotedMd5(readFileSync(join(server.musicDir, key)))).toBe(quotedMd5(WAV));
    await page.close();
  }, 60_000);

  test("GETs it back with fetch, byte for byte, with credentials and by Range", async () => {
    const page = await openPage(allowedSite);
    const getUrl = await mc.presignedGetObject("music", key, 600);
    const got = await timed("page: GET back and compare", () =>
      page.evaluate(async (url) => {
        const original = new Uint8Array(await (await fetch("/sine.wav")).arrayBuffer());
        const whole = await fetch(url, { credentials: "include" });
        const copy = new Uint8Array(await whole.arrayBuffer());
        // no-store: Chromium would otherwise cut the range from the cached whole file, never asking the server.
        const range = await fetch(url, { headers: { Range: "bytes=0-11" }, cache: "no-store" });
        return {
          status: whole.status,
          sameBytes: copy.length === original.length && copy.every((b, i) => b === original[i]),
          etag: whole.headers.get("ETag"),
          lastModified: whole.headers.get("Last-Modified") !== null,
          rangeStatus: range.status,
          contentRange: range.headers.get("Content-Range"),
          rangeBytes: [...new Uint8Array(await range.arrayBuffer())],
        };
      }, getUrl),
    );
    expect(got).toEqual({
      status: 200,
      sameBytes: true,
      etag: quotedMd5(WAV),
      lastModified: true,
      rangeStatus: 206,
      contentRange: `bytes 0-11/${WAV.length}`,
      rangeBytes: [...WAV.slice(0, 12)],
    });
    await page.close();
  }, 60_000);

  test("plays a presigned GET in <audio crossorigin>: currentTime advances", async () => {
    const page = await openPage(allowedSite);
    const getUrl = await mc.presignedGetObject("music", key, 600);
    await timed("page: audio reaches 1.5 s", async () => {
      await page.evaluate(async (url) => {
        const audio = document.querySelector("audio")!;
        // A CORS-mode media fetch: it fails unless every (206) answer allows the origin.
        audio.crossOrigin = "use-credentials";
        audio.src = url;
        await audio.play();
      }, getUrl);
      await page.waitForFunction(() => document.querySelector("audio")!.currentTime > 1.5, undefined, { timeout: 20_000 });
    });
    expect(await page.evaluate(() => ({ error: document.querySelector("audio")!.error, duration: document.querySelector("audio")!.duration }))).toEqual({
      error: null,
      duration: 4,
    });
    await page.close();
  }, 60_000);
});

describe("a page on an origin s3_cors_origins does not name", () => {
  test("cannot PUT (the preflight is refused: nothing is written) nor read a GET", async () => {
    const page = await openPage(otherSite);
    const putUrl = await mc.presignedPutObject("music", "browser/blocked.wav", 600);
    const getUrl = await mc.presignedGetObject("music", "browser/sine wave.wav", 600);
    const outcome = await timed("blocked page: PUT and GET", () =>
      page.evaluate(
        async ([put, get]) => {
          const attempt = (p: Promise<Response>) => p.then((r) => `answered ${r.status}`, (e: Error) => `${e.name}: ${e.message}`);
          return {
            put: await attempt(fetch(put!, { method: "PUT", body: "x", headers: { "Content-Type": "audio/wav" } })),
            get: await attempt(fetch(get!)),
          };
        },
        [putUrl, getUrl],
      ),
    );
    expect(outcome, log.join("\n")).toEqual({ put: "TypeError: Failed to fetch", get: "TypeError: Failed to fetch" });
    expect(existsSync(join(server.musicDir, "browser", "blocked.wav"))).toBe(false);
    expect(log.some((l) => l.includes("has been blocked by CORS policy"))).toBe(true);
    await page.close();
  }, 60_000);

  test("<audio crossorigin> fails; a plain <audio> plays, since the signature, not the origin, guards an object", async () => {
    const page = await openPage(otherSite);
    const getUrl = await mc.presignedGetObject("music", "browser/sine wave.wav", 600);
    const corsMode = await page.evaluate(async (url) => {
      const audio = document.querySelector("audio")!;
      audio.crossOrigin = "anonymous";
      audio.src = url;
      return audio.play().then(() => "played", () => `refused, MediaError code ${audio.error?.code}`);
    }, getUrl);
    expect(corsMode).toBe("refused, MediaError code 4");
    await page.evaluate(async (url) => {
      const plain = new Audio(url);
      plain.id = "plain";
      document.body.append(plain);
      await plain.play();
    }, getUrl);
    await page.waitForFunction(() => document.getElementById("plain").currentTime > 0.5, undefined, { timeout: 20_000 });
    await page.close();
  }, 60_000);
});
