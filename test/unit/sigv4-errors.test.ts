/**
 * Every way authenticate() refuses a request, on requests signed by AWS's own
 * signer (@smithy/signature-v4) and then spoiled one way at a time.
 */
import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { describe, expect, test } from "bun:test";
import { S3Error } from "../../src/s3/errors.ts";
// The entry the server uses: it sends V2 requests to src/s3/sigv2/ and the rest here.
import { authenticate, type IncomingRequest } from "../../src/s3/authenticate.ts";
import { readQuery } from "../../src/s3/raw-target.ts";

const CREDS = { accessKey: "AKIDROCKBOX", secretKey: "s3cr3t/with+odd=chars" };
const T0 = Date.UTC(2024, 0, 2, 3, 4, 5);
const HOST = "127.0.0.1:9000";
const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

interface SignOptions {
  method?: string;
  path?: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  region?: string;
  secret?: string;
  accessKey?: string;
  at?: number;
}

function signer(o: SignOptions): SignatureV4 {
  return new SignatureV4({
    credentials: { accessKeyId: o.accessKey ?? CREDS.accessKey, secretAccessKey: o.secret ?? CREDS.secretKey },
    region: o.region ?? "us-east-1",
    service: "s3",
    sha256: Sha256,
    uriEscapePath: false,
    applyChecksum: false,
  });
}

function httpRequest(o: SignOptions): HttpRequest {
  return new HttpRequest({
    method: o.method ?? "GET",
    hostname: "127.0.0.1",
    port: 9000,
    path: o.path ?? "/music/a.flac",
    query: o.query ?? {},
    headers: { host: HOST, "x-amz-content-sha256": EMPTY_SHA256, ...o.headers },
  });
}

/** The query string as the SDK's HTTP handlers put it on the wire. */
function wireQuery(query: Record<string, unknown>): string {
  const escape = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return Object.keys(query)
    .sort()
    .map((k) => `${escape(k)}=${escape(String(query[k]))}`)
    .join("&");
}

/** What a signer hands back: enough to put the request on the wire. */
interface WireRequest {
  method: string;
  path: string;
  query?: Record<string, unknown>;
  headers: Record<string, string | undefined>;
}

function incoming(r: WireRequest): IncomingRequest {
  const headers = new Headers();
  for (const [k, v] of Object.entries(r.headers)) if (v !== undefined) headers.set(k, v);
  return { method: r.method, rawPath: r.path, query: readQuery(wireQuery(r.query ?? {})), headers };
}

async function signed(o: SignOptions = {}): Promise<IncomingRequest> {
  return incoming(await signer(o).sign(httpRequest(o), { signingDate: new Date(o.at ?? T0) }));
}

async function presigned(o: SignOptions & { expiresIn?: number } = {}): Promise<IncomingRequest> {
  // As @aws-sdk/s3-request-presigner does: the payload is UNSIGNED-PAYLOAD,
  // and the header that says so is neither hoisted into the URL nor signed.
  const r = httpRequest({ ...o, headers: { ...o.headers, "x-amz-content-sha256": "UNSIGNED-PAYLOAD" } });
  const keep = new Set(["x-amz-content-sha256"]);
  const p = await signer(o).presign(r, {
    signingDate: new Date(o.at ?? T0),
    expiresIn: o.expiresIn ?? 3600,
    unhoistableHeaders: keep,
    unsignableHeaders: keep,
  });
  delete p.headers["x-amz-content-sha256"];
  return incoming(p);
}

/** The S3Error authenticate() throws, as a plain object. */
function refusal(req: IncomingRequest, now = T0): { code: string; status: number; message: string; fields: Record<string, string> } {
  try {
    authenticate(req, CREDS, now);
  } catch (e) {
    if (!(e instanceof S3Error)) throw e;
    return { code: e.code, status: e.status, message: e.message, fields: e.fields };
  }
  throw new Error("the request was accepted");
}

function withHeader(req: IncomingRequest, name: string, value: string | null): IncomingRequest {
  const headers = new Headers(req.headers);
  if (value === null) headers.delete(name);
  else headers.set(name, value);
  return { ...req, headers };
}

describe("header form", () => {
  test("a correctly signed request passes", async () => {
    expect(authenticate(await signed(), CREDS, T0)).toEqual({
      accessKey: CREDS.accessKey,
      presigned: false,
      payload: { kind: "sha256", hex: EMPTY_SHA256 },
    });
  });

  test("no Authorization header and no X-Amz-Signature: 403 AccessDenied", async () => {
    const req = withHeader(await signed(), "authorization", null);
    expect(refusal(req)).toMatchObject({ code: "AccessDenied", status: 403, message: "Authorization header missing" });
  });

  test("unknown access key: 403 InvalidAccessKeyId", async () => {
    expect(refusal(await signed({ accessKey: "AKIDSOMEONEELSE" }))).toMatchObject({ code: "InvalidAccessKeyId", status: 403 });
  });

  test("wrong secret: 403 SignatureDoesNotMatch, with S3's diagnostics", async () => {
    const r = refusal(await signed({ secret: "not-the-secret" }));
    expect(r).toMatchObject({ code: "SignatureDoesNotMatch", status: 403 });
    expect(Object.keys(r.fields)).toEqual(["AWSAccessKeyId", "StringToSign", "SignatureProvided", "CanonicalRequest"]);
    expect(r.fields.CanonicalRequest).toStartWith("GET\n/music/a.flac\n\nhost:127.0.0.1:9000\n");
    expect(JSON.stringify(r)).not.toContain(CREDS.secretKey);
  });

  test("a signed header changed after signing: SignatureDoesNotMatch", async () => {
    const req = withHeader(await signed({ headers: { range: "bytes=0-9" } }), "range", "bytes=0-99");
    expect(refusal(req).code).toBe("SignatureDoesNotMatch");
  });

  test("the path changed after signing: SignatureDoesNotMatch", async () => {
    expect(refusal({ ...(await signed()), rawPath: "/music/b.flac" }).code).toBe("SignatureDoesNotMatch");
  });

  test("a query parameter added after signing: SignatureDoesNotMatch", async () => {
    expect(refusal({ ...(await signed()), query: readQuery("acl") }).code).toBe("SignatureDoesNotMatch");
  });

  test("clock skew: 14 minutes passes, 16 minutes is 403 RequestTimeTooSkewed", async () => {
    const req = await signed();
    expect(() => authenticate(req, CREDS, T0 + 14 * 60_000)).not.toThrow();
    expect(() => authenticate(req, CREDS, T0 - 14 * 60_000)).not.toThrow();
    expect(refusal(req, T0 + 16 * 60_000)).toMatchObject({
      code: "RequestTimeTooSkewed",
      status: 403,
      fields: { RequestTime: "20240102T030405Z", MaxAllowedSkewMilliseconds: "900000" },
    });
    expect(refusal(req, T0 - 16 * 60_000).code).toBe("RequestTimeTooSkewed");
  });

  test("wrong region in the scope: 400 AuthorizationHeaderMalformed naming us-east-1", async () => {
    expect(refusal(await signed({ region: "eu-west-1" }))).toEqual({
      code: "AuthorizationHeaderMalformed",
      status: 400,
      message: "The authorization header is malformed; the region 'eu-west-1' is wrong; expecting 'us-east-1'",
      fields: { Region: "us-east-1" },
    });
  });

  test("malformed Authorization headers: 400 AuthorizationHeaderMalformed", async () => {
    const good = (await signed()).headers.get("authorization")!;
    const malformed = [
      good.replace(/, Signature=[0-9a-f]+/, ""),
      good.replace(/SignedHeaders=[^,]+, /, ""),
      good.replace("/us-east-1/", "/"),
      good.replace("aws4_request", "aws5_request"),
      good.replace("/20240102/", "/2024-01-02/"),
      "AWS4-HMAC-SHA256 garbage",
      "AWS4-HMAC-SHA256",
    ];
    for (const value of malformed) {
      expect(refusal(withHeader(await signed(), "authorization", value))).toMatchObject({
        code: "AuthorizationHeaderMalformed",
        status: 400,
      });
    }
  });

  test("a scope for another service: AuthorizationHeaderMalformed", async () => {
    const good = (await signed()).headers.get("authorization")!;
    const req = withHeader(await signed(), "authorization", good.replace("/s3/", "/sts/"));
    expect(refusal(req).code).toBe("AuthorizationHeaderMalformed");
  });

  test("credential date other than x-amz-date's day: AuthorizationHeaderMalformed", async () => {
    const good = (await signed()).headers.get("authorization")!;
    const req = withHeader(await signed(), "authorization", good.replace("/20240102/", "/20240101/"));
    expect(refusal(req)).toMatchObject({
      code: "AuthorizationHeaderMalformed",
      message: "Invalid credential date. Date is not the same as X-Amz-Date.",
    });
  });

  test("no x-amz-date and no Date header, or an unreadable one: 403 AccessDenied", async () => {
    const req = withHeader(await signed(), "x-amz-date", null);
    expect(refusal(req)).toMatchObject({ code: "AccessDenied", status: 403 });
    expect(refusal(withHeader(await signed(), "x-amz-date", "2024-01-02T03:04:05Z")).code).toBe("AccessDenied");
  });

  test("an Authorization header of the V2 form (AWS AKID:signature) is checked as V2, not refused as unknown", async () => {
    const req = withHeader(await signed(), "authorization", "AWS AKIDROCKBOX:frJIUN8DYpKDtOLCwo//yllqDzg=");
    expect(refusal(req)).toMatchObject({ code: "SignatureDoesNotMatch", status: 403, fields: { SignatureProvided: "frJIUN8DYpKDtOLCwo//yllqDzg=" } });
  });

  test("V2 query authentication is checked as V2: a URL that expired in 2006 is 403 Request has expired", () => {
    const req: IncomingRequest = {
      method: "GET",
      rawPath: "/music/a.flac",
      query: readQuery("AWSAccessKeyId=AKIDROCKBOX&Expires=1141889120&Signature=vjbyPxybdZaNmGa%2ByT272YEAiv4%3D"),
      headers: new Headers({ host: HOST }),
    };
    expect(refusal(req)).toMatchObject({ code: "AccessDenied", status: 403, message: "Request has expired" });
  });

  test("another scheme in the Authorization header: 400 InvalidArgument 'Unsupported Authorization Type', as S3 answers", async () => {
    for (const value of ["Bearer abc", "garbage", "AWS4-HMAC-SHA512 Credential=x"]) {
      const req = withHeader(await signed(), "authorization", value);
      expect(refusal(req)).toMatchObject({ code: "InvalidArgument", status: 400, message: "Unsupported Authorization Type" });
    }
  });

  test("an x-amz-content-sha256 that is none of the allowed values: 400 InvalidArgument", async () => {
    const req = await signed({ headers: { "x-amz-content-sha256": "not-a-hash" } });
    expect(refusal(req)).toMatchObject({ code: "InvalidArgument", status: 400, fields: { ArgumentName: "x-amz-content-sha256" } });
  });

  test("SigV4a streaming: 501 NotImplemented", async () => {
    const req = await signed({ headers: { "x-amz-content-sha256": "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD" } });
    expect(refusal(req)).toMatchObject({ code: "NotImplemented", status: 501 });
  });

  test("both an Authorization header and X-Amz-Algorithm: 400 InvalidArgument", async () => {
    const p = await presigned();
    const req = withHeader(p, "authorization", (await signed()).headers.get("authorization")!);
    expect(refusal(req)).toMatchObject({ code: "InvalidArgument", status: 400 });
  });
});

describe("presigned form", () => {
  test("a presigned GET passes until it expires, then 403 AccessDenied", async () => {
    const req = await presigned({ expiresIn: 600 });
    expect(authenticate(req, CREDS, T0 + 599_000)).toEqual({
      accessKey: CREDS.accessKey,
      presigned: true,
      payload: { kind: "unsigned" },
    });
    expect(refusal(req, T0 + 601_000)).toMatchObject({ code: "AccessDenied", status: 403, message: "Request has expired" });
  });

  test("X-Amz-Expires over a week: 400 AuthorizationQueryParametersError", async () => {
    const req = await presigned();
    const query = readQuery(req.query.raw.replace("X-Amz-Expires=3600", "X-Amz-Expires=604801"));
    expect(refusal({ ...req, query })).toMatchObject({ code: "AuthorizationQueryParametersError", status: 400 });
    const week = { ...req, query: readQuery(req.query.raw.replace("X-Amz-Expires=3600", "X-Amz-Expires=604800")) };
    expect(refusal(week).code).toBe("SignatureDoesNotMatch"); // accepted as a value; the signature covered 3600
  });

  test("missing or malformed parameters: 400 AuthorizationQueryParametersError", async () => {
    const req = await presigned();
    const spoil = [
      (q: string) => q.replace(/&?X-Amz-Date=[^&]+/, ""),
      (q: string) => q.replace(/&?X-Amz-Expires=[^&]+/, ""),
      (q: string) => q.replace(/&?X-Amz-SignedHeaders=[^&]+/, ""),
      (q: string) => q.replace(/X-Amz-Signature=[^&]+/, "X-Amz-Signature="),
      (q: string) => q.replace("X-Amz-Expires=3600", "X-Amz-Expires=soon"),
      (q: string) => q.replace("X-Amz-Expires=3600", "X-Amz-Expires=-1"),
      (q: string) => q.replace("X-Amz-Algorithm=AWS4-HMAC-SHA256", "X-Amz-Algorithm=AWS4-HMAC-SHA1"),
      (q: string) => q.replace(/X-Amz-Date=\d{8}T\d{6}Z/, "X-Amz-Date=yesterday"),
      (q: string) => q.replace("aws4_request", "aws5_request"),
      (q: string) => q.replace(/X-Amz-Credential=[^&]+/, "X-Amz-Credential=AKIDROCKBOX"),
      (q: string) => q.replace("%2F20240102%2F", "%2F20240101%2F"),
    ];
    for (const f of spoil) {
      const rawQuery = f(req.query.raw);
      expect(rawQuery).not.toBe(req.query.raw);
      expect(refusal({ ...req, query: readQuery(rawQuery) })).toMatchObject({ code: "AuthorizationQueryParametersError", status: 400 });
    }
  });

  test("wrong region: 400 AuthorizationQueryParametersError naming us-east-1 (the query form's code, as S3 answers)", async () => {
    expect(refusal(await presigned({ region: "eu-central-1" }))).toMatchObject({
      code: "AuthorizationQueryParametersError",
      status: 400,
      fields: { Region: "us-east-1" },
    });
  });

  test("unknown access key: InvalidAccessKeyId; wrong secret: SignatureDoesNotMatch", async () => {
    expect(refusal(await presigned({ accessKey: "AKIDSOMEONEELSE" })).code).toBe("InvalidAccessKeyId");
    expect(refusal(await presigned({ secret: "nope" })).code).toBe("SignatureDoesNotMatch");
  });

  test("a URL used before its X-Amz-Date (beyond the skew): AccessDenied", async () => {
    expect(refusal(await presigned(), T0 - 20 * 60_000)).toMatchObject({ code: "AccessDenied", message: "Request is not valid yet" });
  });

  test("the method is signed: a presigned GET cannot be used for PUT", async () => {
    expect(refusal({ ...(await presigned()), method: "PUT" }).code).toBe("SignatureDoesNotMatch");
  });
});
