/**
 * Signature V2 beyond the doc's examples: every refusal, the sub-resources
 * and response-* overrides, the query form's hoisted headers, and the rule
 * that no x-amz-* header can be added to a signed request. Expected strings
 * to sign are written out by hand from the doc's rules and signed here with
 * node:crypto, independently of src/s3/sigv2.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/RESTAuthentication.html
 */
import { describe, expect, test } from "bun:test";
import { createHmac } from "node:crypto";
import { authenticate, type IncomingRequest } from "../../src/s3/authenticate.ts";
import { readQuery } from "../../src/s3/raw-target.ts";
import { authRefusal, type Refusal } from "../helpers/auth-refusal.ts";

const CREDS = { accessKey: "AKIDROCKBOX", secretKey: "s3cr3t/with+odd=chars" };
const T0 = Date.UTC(2024, 0, 2, 3, 4, 5);
const DATE = new Date(T0).toUTCString(); // "Tue, 02 Jan 2024 03:04:05 GMT"
const EXPIRES = String(T0 / 1000 + 3600);

const sign = (toSign: string, secret = CREDS.secretKey): string => createHmac("sha1", secret).update(toSign).digest("base64");

function request(method: string, url: string, headers: Record<string, string> = {}): IncomingRequest {
  const q = url.indexOf("?");
  return {
    method,
    rawPath: q < 0 ? url : url.slice(0, q),
    query: readQuery(q < 0 ? "" : url.slice(q + 1)),
    headers: new Headers({ host: "127.0.0.1:9000", ...headers }),
  };
}

/** A header-signed request whose signature covers `toSign`. */
function headerSigned(method: string, url: string, headers: Record<string, string>, toSign: string): IncomingRequest {
  return request(method, url, { ...headers, authorization: `AWS ${CREDS.accessKey}:${sign(toSign)}` });
}

/** A query-signed URL whose signature covers `toSign`. */
function querySigned(method: string, url: string, toSign: string, headers: Record<string, string> = {}, expires = EXPIRES): IncomingRequest {
  const auth = `AWSAccessKeyId=${CREDS.accessKey}&Signature=${encodeURIComponent(sign(toSign))}&Expires=${expires}`;
  return request(method, `${url}${url.includes("?") ? "&" : "?"}${auth}`, headers);
}

const refusal = (req: IncomingRequest, now = T0): Refusal => authRefusal(req, CREDS, now);

describe("header form", () => {
  const toSign = `GET\n\n\n${DATE}\n/music/a.flac`;

  test("a correctly signed request passes, with an unsigned payload", () => {
    expect(authenticate(headerSigned("GET", "/music/a.flac", { date: DATE }, toSign), CREDS, T0)).toEqual({
      accessKey: CREDS.accessKey,
      presigned: false,
      payload: { kind: "unsigned" },
    });
  });

  test("virtual-hosted style (Host music.<anything>): the bucket is put back in front of the path", () => {
    const req = headerSigned("GET", "/a.flac", { date: DATE, host: "music.nas.local:9000" }, toSign);
    expect(authenticate(req, CREDS, T0).accessKey).toBe(CREDS.accessKey);
  });

  test("x-amz-date: the Date position is empty and x-amz-date is signed among the amz headers", () => {
    const req = headerSigned("GET", "/music/a.flac", { "x-amz-date": DATE, date: "Mon, 01 Jan 2024 00:00:00 GMT" }, `GET\n\n\n\nx-amz-date:${DATE}\n/music/a.flac`);
    expect(authenticate(req, CREDS, T0).accessKey).toBe(CREDS.accessKey);
  });

  test("unknown access key: 403 InvalidAccessKeyId", () => {
    const req = request("GET", "/music/a.flac", { date: DATE, authorization: `AWS SOMEONEELSE:${sign(toSign)}` });
    expect(refusal(req)).toMatchObject({ code: "InvalidAccessKeyId", status: 403 });
  });

  test("wrong secret: 403 SignatureDoesNotMatch with S3's diagnostics, StringToSignBytes included", () => {
    const provided = sign(toSign, "wrong");
    const req = request("GET", "/music/a.flac", { date: DATE, authorization: `AWS ${CREDS.accessKey}:${provided}` });
    const r = refusal(req);
    expect(r).toMatchObject({ code: "SignatureDoesNotMatch", status: 403 });
    expect(r.fields).toEqual({
      AWSAccessKeyId: CREDS.accessKey,
      StringToSign: toSign,
      SignatureProvided: provided,
      StringToSignBytes: [...Buffer.from(toSign)].map((b) => b.toString(16).padStart(2, "0")).join(" "),
    });
    expect(Object.keys(r.fields)).toEqual(["AWSAccessKeyId", "StringToSign", "SignatureProvided", "StringToSignBytes"]);
  });

  test("a signature that is not base64 of 20 bytes is a mismatch, not a crash", () => {
    for (const bad of ["x", "%%%", "AAAA", sign(toSign).slice(0, -1)]) {
      const req = request("GET", "/music/a.flac", { date: DATE, authorization: `AWS ${CREDS.accessKey}:${bad}` });
      expect(refusal(req).code).toBe("SignatureDoesNotMatch");
    }
  });

  test("no Date and no x-amz-date, or an unreadable one: 403 AccessDenied", () => {
    const message = "AWS authentication requires a valid Date or x-amz-date header";
    expect(refusal(headerSigned("GET", "/music/a.flac", {}, toSign))).toMatchObject({ code: "AccessDenied", status: 403, message });
    expect(refusal(headerSigned("GET", "/music/a.flac", { date: "yesterday" }, toSign))).toMatchObject({ code: "AccessDenied", message });
    expect(refusal(headerSigned("GET", "/music/a.flac", { date: DATE, "x-amz-date": "soon" }, toSign))).toMatchObject({ code: "AccessDenied", message });
  });

  test("more than 15 minutes of skew either way: 403 RequestTimeTooSkewed", () => {
    const req = headerSigned("GET", "/music/a.flac", { date: DATE }, toSign);
    expect(authenticate(req, CREDS, T0 + 15 * 60_000).accessKey).toBe(CREDS.accessKey);
    for (const now of [T0 + 15 * 60_000 + 1000, T0 - 15 * 60_000 - 1000])
      expect(refusal(req, now)).toMatchObject({
        code: "RequestTimeTooSkewed",
        status: 403,
        fields: { RequestTime: DATE, MaxAllowedSkewMilliseconds: "900000" },
      });
  });

  test("'AWS' without AccessKeyId:signature: 400 InvalidArgument", () => {
    for (const value of ["AWS", "AWS AKIDROCKBOX", "AWS :abc", "AWS AKIDROCKBOX:", "AWS AKID ROCKBOX:abc"]) {
      const r = refusal(request("GET", "/music/a.flac", { date: DATE, authorization: value }));
      // "AWS" alone is no V2 header; it is an unknown scheme, which is InvalidArgument too.
      expect(r.code).toBe("InvalidArgument");
      expect(r.status).toBe(400);
    }
  });

  test("an x-amz-* header added after signing is refused: a signed GET cannot become a CopyObject", () => {
    const put = `PUT\n\n\n${DATE}\n/music/copy.flac`;
    const signed = headerSigned("PUT", "/music/copy.flac", { date: DATE }, put);
    expect(authenticate(signed, CREDS, T0).accessKey).toBe(CREDS.accessKey);
    signed.headers.set("x-amz-copy-source", "/music/secret.flac");
    expect(refusal(signed)).toMatchObject({ code: "SignatureDoesNotMatch", status: 403 });
    // And signed, it is accepted.
    const copy = headerSigned("PUT", "/music/copy.flac", { date: DATE, "x-amz-copy-source": "/music/secret.flac" },
      `PUT\n\n\n${DATE}\nx-amz-copy-source:/music/secret.flac\n/music/copy.flac`);
    expect(authenticate(copy, CREDS, T0).accessKey).toBe(CREDS.accessKey);
  });

  test("Content-MD5 and Content-Type are signed by position", () => {
    const headers = { date: DATE, "content-md5": "1B2M2Y8AsgTpgAmY7PhCfg==", "content-type": "audio/flac" };
    const req = headerSigned("PUT", "/music/a.flac", headers, `PUT\n1B2M2Y8AsgTpgAmY7PhCfg==\naudio/flac\n${DATE}\n/music/a.flac`);
    expect(authenticate(req, CREDS, T0).accessKey).toBe(CREDS.accessKey);
    req.headers.set("content-type", "text/html");
    expect(refusal(req).code).toBe("SignatureDoesNotMatch");
  });

  test("a repeated x-amz-* header is signed with its values joined by a bare comma; one value with a comma as is", () => {
    const joined = `PUT\n\n\n${DATE}\nx-amz-meta-artist:Crosby, Stills & Nash\n/music/a.flac`;
    const req = headerSigned("PUT", "/music/a.flac", { date: DATE, "x-amz-meta-artist": "Crosby, Stills & Nash" }, joined);
    expect(authenticate(req, CREDS, T0).accessKey).toBe(CREDS.accessKey);
    const repeated = request("PUT", "/music/a.flac", { date: DATE });
    repeated.headers.append("X-Amz-Meta-Tag", "  one ");
    repeated.headers.append("X-Amz-Meta-Tag", "two");
    repeated.headers.set("authorization", `AWS ${CREDS.accessKey}:${sign(`PUT\n\n\n${DATE}\nx-amz-meta-tag:one,two\n/music/a.flac`)}`);
    expect(authenticate(repeated, CREDS, T0).accessKey).toBe(CREDS.accessKey);
  });

  test("sub-resources sorted by name with decoded values; response-* overrides signed; other parameters not", () => {
    const url =
      "/music/a%20b.flac?versionId=null&response-content-disposition=attachment%3B%20filename%3D%22a%20b.flac%22" +
      "&prefix=x&response-content-type=audio%2Fflac&x-id=GetObject";
    const toSignQ =
      `GET\n\n\n${DATE}\n/music/a%20b.flac?response-content-disposition=attachment; filename="a b.flac"` +
      "&response-content-type=audio/flac&versionId=null";
    expect(authenticate(headerSigned("GET", url, { date: DATE }, toSignQ), CREDS, T0).accessKey).toBe(CREDS.accessKey);
  });

  test("multipart sub-resources: ?uploads, ?uploadId=…&partNumber=…, ?delete", () => {
    const cases: [string, string, string][] = [
      ["POST", "/music/a.flac?uploads", "/music/a.flac?uploads"],
      ["POST", "/music/a.flac?uploads=", "/music/a.flac?uploads="],
      ["PUT", "/music/a.flac?uploadId=AbC_-123&partNumber=2", "/music/a.flac?partNumber=2&uploadId=AbC_-123"],
      ["POST", "/music/?delete", "/music/?delete"],
    ];
    for (const [method, url, resource] of cases) {
      const req = headerSigned(method, url, { date: DATE }, `${method}\n\n\n${DATE}\n${resource}`);
      expect(authenticate(req, CREDS, T0).accessKey).toBe(CREDS.accessKey);
    }
  });

  test("the path is signed as sent; the AWS encoding of the decoded path is also taken", () => {
    const raw = "/music/Bj%c3%b6rk/It's%20(live)!.flac";
    expect(authenticate(headerSigned("GET", raw, { date: DATE }, `GET\n\n\n${DATE}\n${raw}`), CREDS, T0).accessKey).toBe(CREDS.accessKey);
    const canonical = "/music/Bj%C3%B6rk/It%27s%20%28live%29%21.flac";
    expect(authenticate(headerSigned("GET", raw, { date: DATE }, `GET\n\n\n${DATE}\n${canonical}`), CREDS, T0).accessKey).toBe(CREDS.accessKey);
  });

  test("payload: a hex x-amz-content-sha256 is verified; aws-chunked needs SigV4", () => {
    const hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    const req = headerSigned("PUT", "/music/a.flac", { date: DATE, "x-amz-content-sha256": hex }, `PUT\n\n\n${DATE}\nx-amz-content-sha256:${hex}\n/music/a.flac`);
    expect(authenticate(req, CREDS, T0).payload).toEqual({ kind: "sha256", hex });
    const chunked = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
    const req2 = headerSigned("PUT", "/music/a.flac", { date: DATE, "x-amz-content-sha256": chunked }, `PUT\n\n\n${DATE}\nx-amz-content-sha256:${chunked}\n/music/a.flac`);
    expect(refusal(req2)).toMatchObject({ code: "InvalidRequest", status: 400 });
  });
});

describe("query form", () => {
  const toSign = `GET\n\n\n${EXPIRES}\n/music/a.flac`;

  test("a presigned URL passes until Expires; Date and x-amz-date are not used", () => {
    const req = querySigned("GET", "/music/a.flac", toSign, { date: "Mon, 01 Jan 2024 00:00:00 GMT" });
    expect(authenticate(req, CREDS, T0)).toEqual({ accessKey: CREDS.accessKey, presigned: true, payload: { kind: "unsigned" } });
    expect(authenticate(req, CREDS, Number(EXPIRES) * 1000).accessKey).toBe(CREDS.accessKey);
  });

  test("after Expires: 403 AccessDenied Request has expired", () => {
    const req = querySigned("GET", "/music/a.flac", toSign);
    expect(refusal(req, Number(EXPIRES) * 1000 + 1000)).toMatchObject({ code: "AccessDenied", status: 403, message: "Request has expired" });
  });

  test("a missing parameter: 403 AccessDenied naming the three", () => {
    const message = "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters";
    for (const q of ["AWSAccessKeyId=AKIDROCKBOX&Expires=1", "Signature=abc&Expires=1", "AWSAccessKeyId=AKIDROCKBOX&Signature=abc", "Signature="])
      expect(refusal(request("GET", `/music/a.flac?${q}`))).toMatchObject({ code: "AccessDenied", status: 403, message });
  });

  test("Expires that is not a number: 403 AccessDenied", () => {
    const r = refusal(request("GET", "/music/a.flac?AWSAccessKeyId=AKIDROCKBOX&Signature=abc&Expires=tomorrow"));
    expect(r).toMatchObject({ code: "AccessDenied", status: 403, message: "Invalid date (should be seconds since epoch): tomorrow" });
  });

  test("unknown access key: 403 InvalidAccessKeyId", () => {
    const r = refusal(request("GET", `/music/a.flac?AWSAccessKeyId=SOMEONEELSE&Signature=${encodeURIComponent(sign(toSign))}&Expires=${EXPIRES}`));
    expect(r).toMatchObject({ code: "InvalidAccessKeyId", status: 403 });
  });

  test("the method is signed: a presigned GET cannot be used for PUT or DELETE", () => {
    expect(refusal(querySigned("PUT", "/music/a.flac", toSign)).code).toBe("SignatureDoesNotMatch");
    expect(refusal(querySigned("DELETE", "/music/a.flac", toSign)).code).toBe("SignatureDoesNotMatch");
  });

  test("an x-amz-copy-source added to a presigned PUT is refused", () => {
    const put = `PUT\n\n\n${EXPIRES}\n/music/a.flac`;
    expect(authenticate(querySigned("PUT", "/music/a.flac", put), CREDS, T0).presigned).toBe(true);
    expect(refusal(querySigned("PUT", "/music/a.flac", put, { "x-amz-copy-source": "/music/b.flac" })).code).toBe("SignatureDoesNotMatch");
  });

  test("a '+' left unencoded in Signature (read as a space) still matches", () => {
    let n = 0;
    let sig = "";
    // Find a key whose signature has a "+", so the test cannot pass vacuously.
    for (; !sig.includes("+"); n++) sig = sign(`GET\n\n\n${EXPIRES}\n/music/${n}.flac`);
    const req = request("GET", `/music/${n - 1}.flac?AWSAccessKeyId=${CREDS.accessKey}&Signature=${sig.replaceAll("=", "%3D")}&Expires=${EXPIRES}`);
    expect(req.query.raw).toContain("+");
    expect(authenticate(req, CREDS, T0).accessKey).toBe(CREDS.accessKey);
  });

  test("headers botocore hoists into the URL (content-type, x-amz-*) are signed; a header actually sent wins", () => {
    const put = `PUT\n\naudio/mpeg\n${EXPIRES}\nx-amz-acl:private\n/music/a.mp3`;
    const req = querySigned("PUT", "/music/a.mp3?content-type=audio%2Fmpeg&x-amz-acl=private", put);
    expect(authenticate(req, CREDS, T0).accessKey).toBe(CREDS.accessKey);
    const withHeader = querySigned("PUT", "/music/a.mp3?content-type=audio%2Fmpeg&x-amz-acl=private", put, { "content-type": "audio/mpeg" });
    expect(authenticate(withHeader, CREDS, T0).accessKey).toBe(CREDS.accessKey);
    const other = querySigned("PUT", "/music/a.mp3?content-type=audio%2Fmpeg&x-amz-acl=private", put, { "content-type": "text/html" });
    expect(refusal(other).code).toBe("SignatureDoesNotMatch");
  });
});

describe("one mechanism per request: 400 InvalidArgument", () => {
  const v2Header = `AWS ${CREDS.accessKey}:${sign("x")}`;
  const v4Header = "AWS4-HMAC-SHA256 Credential=AKIDROCKBOX/20240102/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00";
  const v2Query = `AWSAccessKeyId=${CREDS.accessKey}&Signature=abc&Expires=${EXPIRES}`;
  const v4Query = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=x&X-Amz-Signature=00";
  const cases: [string, string, Record<string, string>][] = [
    ["V2 header + V2 query", v2Query, { authorization: v2Header, date: DATE }],
    ["V2 header + V4 query", v4Query, { authorization: v2Header, date: DATE }],
    ["V4 header + V2 query", v2Query, { authorization: v4Header }],
    ["V2 query + V4 query", `${v2Query}&${v4Query}`, {}],
  ];
  for (const [name, query, headers] of cases)
    test(name, () => {
      expect(refusal(request("GET", `/music/a.flac?${query}`, headers))).toMatchObject({ code: "InvalidArgument", status: 400 });
    });
});
