/**
 * CORS in process: the s3_cors_origins setting (normalised to what browsers
 * send as Origin, mistakes named with the fix), and the app's CORS layer on
 * answers a real server cannot be made to give on demand (a 500).
 */
import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { corsOriginsSchema } from "../../src/config/cors-origins.ts";
import { readSettings } from "../../src/config/settings-file.ts";
import { createApp } from "../../src/http/app.ts";
import type { Services } from "../../src/http/context.ts";
import { cors } from "../../src/http/cors.ts";
import { createLogger } from "../../src/log.ts";
import type { Bucket } from "../../src/store/bucket.ts";
import type { Multipart } from "../../src/store/multipart/multipart.ts";
import { ACCESS_KEY, SECRET_KEY, tempDir } from "../helpers/server.ts";

describe("s3_cors_origins", () => {
  test("entries become the serialized origin a browser sends", () => {
    expect(corsOriginsSchema.parse(["*"])).toEqual(["*"]);
    expect(
      corsOriginsSchema.parse(["http://Pi.Local:8080/", "https://music.example:443", "http://192.168.1.20:80", "http://[::1]:3000"]),
    ).toEqual(["http://pi.local:8080", "https://music.example", "http://192.168.1.20", "http://[::1]:3000"]);
  });

  test.each([
    ["pi.local:8080"],
    ["http://pi.local:8080/player"],
    ["http://pi.local/?x=1"],
    ["ftp://pi.local"],
    ["http://user@pi.local"],
    ["null"],
  ])("%p is refused", (entry) => {
    expect(corsOriginsSchema.safeParse([entry]).success).toBe(false);
  });

  test("a wrong value in settings.toml names the key, the file and the fix", () => {
    const path = join(tempDir(), "settings.toml");
    writeFileSync(path, 's3_cors_origins = ["pi.local:8080"]\n');
    expect(() => readSettings(path)).toThrow(
      `configuration key 's3_cors_origins' in ${path} is invalid: 'pi.local:8080' is not an origin like "http://pi.local:8080".\n` +
        'Fix: set s3_cors_origins to a list of origins, e.g. s3_cors_origins = ["http://pi.local:8080"], or ["*"] for any page',
    );
    writeFileSync(path, 's3_cors_origins = "*"\n');
    expect(() => readSettings(path)).toThrow("configuration key 's3_cors_origins'");
    writeFileSync(path, 's3_cors_origins = ["http://pi.local:8080/"]\ns3_enabled = true\n');
    expect(readSettings(path)?.s3_cors_origins).toEqual(["http://pi.local:8080"]);
  });
});

describe("the CORS layer in the app", () => {
  const ORIGIN = "http://player.test:8080";
  const logged: string[] = [];
  const failingBucket = {
    open() {
      throw new Error("the disk fell off");
    },
  } as unknown as Bucket;
  const services: Services = { bucket: failingBucket, multipart: {} as Multipart, library: { tagsFor: () => ({}) }, createdMs: 0, corsOrigins: [ORIGIN] };
  const app = createApp({
    credentials: { accessKey: ACCESS_KEY, secretKey: SECRET_KEY },
    services,
    log: createLogger("error", (line) => logged.push(line)),
  });

  const s3 = new Bun.S3Client({ endpoint: "http://s3.test", accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY, bucket: "music", region: "us-east-1" });
  const presigned = (key: string) => s3.presign(key, { expiresIn: 60 });

  test("an internal error (500) still lets the page read the answer", async () => {
    const res = await app.fetch(new Request(presigned("song.mp3"), { headers: { Origin: ORIGIN, Host: "s3.test" } }));
    expect(res.status).toBe(500);
    expect(await res.text()).toContain("<Code>InternalError</Code>");
    expect(res.headers.get("access-control-allow-origin")).toBe(ORIGIN);
    expect(res.headers.get("access-control-expose-headers")).toContain("x-amz-request-id");
    expect(res.headers.get("vary")).toBe("Origin");
    expect(logged.join("")).toContain("the disk fell off");
  });

  test("a 500 for another origin carries no Allow-Origin, only Vary", async () => {
    const res = await app.fetch(new Request(presigned("song.mp3"), { headers: { Origin: "http://elsewhere.test", Host: "s3.test" } }));
    expect(res.status).toBe(500);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    expect(res.headers.get("vary")).toBe("Origin");
  });

  test("the skip hook leaves a path alone: no preflight answer, no headers", async () => {
    const layer = cors({ origins: ["*"], skip: (req) => new URL(req.url).pathname.startsWith("/ui/") });
    const demo = { request: (url: string, init: RequestInit) => layer(new Request(url, init), async () => new Response("handled")) };
    const preflight = { method: "OPTIONS", headers: { Origin: ORIGIN, "Access-Control-Request-Method": "GET" } };
    const skipped = await demo.request("http://s3.test/ui/api/session", preflight);
    expect(await skipped.text()).toBe("handled");
    expect([...skipped.headers.keys()].filter((h) => /^(access-control|vary)/.test(h))).toEqual([]);
    const s3 = await demo.request("http://s3.test/music/a.mp3", preflight);
    expect(s3.status).toBe(200);
    expect(s3.headers.get("access-control-allow-origin")).toBe(ORIGIN);
  });
});
