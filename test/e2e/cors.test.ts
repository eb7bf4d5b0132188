/**
 * CORS over HTTP against a real server (SPEC §5): preflights answered
 * without a signature for allowed origins and refused as S3 refuses them,
 * the CORS headers on every answer to an allowed origin (errors included),
 * and GetBucketCors / PutBucketCors / DeleteBucketCors. The browser's side
 * of the same story is test/clients/chromium.test.ts.
 */
import { describe, expect, test } from "bun:test";
import { DeleteBucketCorsCommand, GetBucketCorsCommand, PutBucketCorsCommand } from "@aws-sdk/client-s3";
import { bunS3 } from "../helpers/clients.ts";
import { errorCode } from "../helpers/raw.ts";
import { serverForSuite } from "../helpers/suite.ts";

const ALLOWED = "http://player.test:8080";
const OTHER = "http://elsewhere.test";
const METHODS = ["GET", "PUT", "POST", "DELETE", "HEAD"];
const EXPOSED = ["ETag", "Content-Range", "Accept-Ranges", "Content-Length", "Last-Modified", "x-amz-request-id", "x-amz-id-2"];

/** The CORS-related headers of a response, by lowercase name. */
function corsHeaders(res: Response): Record<string, string> {
  return Object.fromEntries([...res.headers].filter(([name]) => /^(access-control-|vary$)/.test(name)));
}

const allowedHeaders = (origin: string) => ({
  "access-control-allow-origin": origin,
  "access-control-allow-credentials": "true",
  "access-control-expose-headers": EXPOSED.join(", "),
  vary: "Origin",
});

function preflight(url: string, origin: string | null, method: string | null, headers?: string): Promise<Response> {
  const h: Record<string, string> = {};
  if (origin !== null) h.Origin = origin;
  if (method !== null) h["Access-Control-Request-Method"] = method;
  if (headers) h["Access-Control-Request-Headers"] = headers;
  return fetch(url, { method: "OPTIONS", headers: h });
}

describe("s3_cors_origins names one origin", () => {
  const suite = serverForSuite({ settings: `s3_cors_origins = ["${ALLOWED}/"]\n` });
  const url = (path: string) => `${suite.server.url}${path}`;

  test("a preflight from it is answered 200 without a signature, echoing what was asked", async () => {
    const res = await preflight(url("/music/new%20song.mp3"), ALLOWED, "PUT", "content-type,x-amz-meta-mood");
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("");
    expect(corsHeaders(res)).toEqual({
      ...allowedHeaders(ALLOWED),
      "access-control-allow-methods": METHODS.join(", "),
      "access-control-allow-headers": "content-type,x-amz-meta-mood",
      "access-control-max-age": "3600",
      vary: "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
    });
    expect(res.headers.get("x-amz-request-id")).toMatch(/^[0-9A-F]+$/);
  });

  test("a preflight asking for the private network gets it (Chromium's Private Network Access)", async () => {
    const res = await fetch(url("/music/a.mp3"), {
      method: "OPTIONS",
      headers: { Origin: ALLOWED, "Access-Control-Request-Method": "GET", "Access-Control-Request-Private-Network": "true" },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-private-network")).toBe("true");
  });

  test("a preflight from another origin, or for another method, is refused as S3 refuses it", async () => {
    for (const [origin, method, type, path] of [
      [OTHER, "PUT", "OBJECT", "/music/a.mp3"],
      [OTHER, "GET", "BUCKET", "/music"],
      [ALLOWED, "PATCH", "OBJECT", "/music/a.mp3"],
    ] as const) {
      const res = await preflight(url(path), origin, method);
      expect(res.status).toBe(403);
      const body = await res.text();
      expect(errorCode(body)).toBe("AccessForbidden");
      expect(body).toContain("<Message>CORSResponse: This CORS request is not allowed.");
      expect(body).toContain(`<Method>${method}</Method><ResourceType>${type}</ResourceType>`);
      expect(corsHeaders(res)).toEqual(origin === ALLOWED ? allowedHeaders(ALLOWED) : { vary: "Origin" });
    }
  });

  test("an OPTIONS that is no preflight is S3's 400 BadRequest", async () => {
    const noOrigin = await preflight(url("/music/a.mp3"), null, "GET");
    expect(noOrigin.status).toBe(400);
    expect(await noOrigin.text()).toContain("<Code>BadRequest</Code><Message>Insufficient information. Origin request header needed.</Message>");
    const noMethod = await preflight(url("/music/a.mp3"), ALLOWED, null);
    expect(noMethod.status).toBe(400);
    expect(await noMethod.text()).toContain("<Message>Invalid Access-Control-Request-Method: null</Message>");
  });

  test("success, 206, 404, 403 and 304 all carry the headers for the allowed origin only", async () => {
    const s3 = bunS3(suite.server);
    await s3.write("cors/song.mp3", "la la la la");
    const get = (key: string, origin: string, headers: Record<string, string> = {}) =>
      fetch(s3.presign(key), { headers: { Origin: origin, ...headers } });

    const ok = await get("cors/song.mp3", ALLOWED);
    expect([ok.status, await ok.text()]).toEqual([200, "la la la la"]);
    expect(corsHeaders(ok)).toEqual(allowedHeaders(ALLOWED));
    const etag = ok.headers.get("etag")!;

    const partial = await get("cors/song.mp3", ALLOWED, { Range: "bytes=3-4" });
    expect([partial.status, await partial.text()]).toEqual([206, "la"]);
    expect(corsHeaders(partial)).toEqual(allowedHeaders(ALLOWED));

    const notModified = await get("cors/song.mp3", ALLOWED, { "If-None-Match": etag });
    expect(notModified.status).toBe(304);
    expect(corsHeaders(notModified)).toEqual(allowedHeaders(ALLOWED));

    const missing = await get("cors/missing.mp3", ALLOWED);
    expect([missing.status, errorCode(await missing.text())]).toEqual([404, "NoSuchKey"]);
    expect(corsHeaders(missing)).toEqual(allowedHeaders(ALLOWED));

    const unsigned = await fetch(url("/music/cors/song.mp3"), { headers: { Origin: ALLOWED } });
    expect([unsigned.status, errorCode(await unsigned.text())]).toEqual([403, "AccessDenied"]);
    expect(corsHeaders(unsigned)).toEqual(allowedHeaders(ALLOWED));

    const badSignature = await fetch(s3.presign("cors/song.mp3").replace(/X-Amz-Signature=[0-9a-f]/, "X-Amz-Signature=g"), {
      headers: { Origin: ALLOWED },
    });
    expect([badSignature.status, errorCode(await badSignature.text())]).toEqual([403, "SignatureDoesNotMatch"]);
    expect(corsHeaders(badSignature)).toEqual(allowedHeaders(ALLOWED));

    // Another origin: the answer is the same, only the browser may not read it.
    const other = await get("cors/song.mp3", OTHER);
    expect([other.status, await other.text()]).toEqual([200, "la la la la"]);
    expect(corsHeaders(other)).toEqual({ vary: "Origin" });
    const noOrigin = await fetch(s3.presign("cors/song.mp3"));
    expect(corsHeaders(noOrigin)).toEqual({ vary: "Origin" });
    await noOrigin.arrayBuffer();
  });

  test("GetBucketCors shows the rule; PutBucketCors and DeleteBucketCors are 501 and say where the rule lives", async () => {
    const got = await suite.s3.send(new GetBucketCorsCommand({ Bucket: "music" }));
    expect(got.CORSRules).toEqual([
      { AllowedHeaders: ["*"], AllowedMethods: METHODS, AllowedOrigins: [ALLOWED], ExposeHeaders: EXPOSED, MaxAgeSeconds: 3600 },
    ]);
    const rule = { AllowedMethods: ["GET"], AllowedOrigins: ["*"] };
    for (const send of [
      () => suite.s3.send(new PutBucketCorsCommand({ Bucket: "music", CORSConfiguration: { CORSRules: [rule] } })),
      () => suite.s3.send(new DeleteBucketCorsCommand({ Bucket: "music" })),
    ]) {
      const e = await send().catch((e) => e);
      expect([e.name, e.$metadata?.httpStatusCode, e.message]).toEqual([
        "NotImplemented", 501, "CORS rules come from s3_cors_origins in settings.toml; change them there and restart.",
      ]);
    }
  });
});

describe("s3_cors_origins left out: every origin", () => {
  const suite = serverForSuite();

  test("any origin's preflight is answered with its own origin, a file:// page's \"null\" too", async () => {
    for (const origin of ["http://anything.example:1234", "https://music.example", "null"]) {
      const res = await preflight(`${suite.server.url}/music/a.flac`, origin, "GET");
      expect(res.status).toBe(200);
      expect(res.headers.get("access-control-allow-origin")).toBe(origin);
    }
  });

  test("GetBucketCors says *", async () => {
    const got = await suite.s3.send(new GetBucketCorsCommand({ Bucket: "music" }));
    expect(got.CORSRules?.map((r) => r.AllowedOrigins)).toEqual([["*"]]);
  });
});
