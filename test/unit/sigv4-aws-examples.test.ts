/**
 * authenticate() against the examples published by AWS, values copied from:
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming-trailers.html
 */
import { describe, expect, test } from "bun:test";
import { sha256PayloadCheck, trailerChecksumCheck } from "../../src/s3/body-check.ts";
import { authenticate, decodeAwsChunked, type IncomingRequest } from "../../src/s3/sigv4/index.ts";
import { readQuery } from "../../src/s3/raw-target.ts";

const CREDS = { accessKey: "AKIAIOSFODNN7EXAMPLE", secretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" };
const NOW = Date.UTC(2013, 4, 24);
const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const SCOPE = "AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request";

function request(method: string, target: string, headers: Record<string, string>): IncomingRequest {
  const q = target.indexOf("?");
  return {
    method,
    rawPath: q < 0 ? target : target.slice(0, q),
    query: readQuery(q < 0 ? "" : target.slice(q + 1)),
    headers: new Headers(headers),
  };
}

function authorization(signedHeaders: string, signature: string): string {
  return `AWS4-HMAC-SHA256 Credential=${SCOPE},SignedHeaders=${signedHeaders},Signature=${signature}`;
}

async function* pieces(body: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < body.length; i += size) yield body.subarray(i, i + size);
}

/** Runs the decoder to the end: the data and the trailers it returned. */
async function decodeAll(gen: AsyncGenerator<Uint8Array, Record<string, string>>) {
  const parts: Uint8Array[] = [];
  for (;;) {
    const next = await gen.next();
    if (next.done) return { data: Buffer.concat(parts), trailers: next.value };
    parts.push(next.value);
  }
}

describe("header-based auth examples (sig-v4-header-based-auth.html)", () => {
  test("GET Object with a Range header", () => {
    const result = authenticate(
      request("GET", "/test.txt", {
        host: "examplebucket.s3.amazonaws.com",
        range: "bytes=0-9",
        "x-amz-content-sha256": EMPTY_SHA256,
        "x-amz-date": "20130524T000000Z",
        authorization: authorization(
          "host;range;x-amz-content-sha256;x-amz-date",
          "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
        ),
      }),
      CREDS,
      NOW,
    );
    expect(result).toEqual({
      accessKey: "AKIAIOSFODNN7EXAMPLE",
      presigned: false,
      payload: { kind: "sha256", hex: EMPTY_SHA256 },
    });
  });

  test("PUT Object: key with '$', Date and x-amz-date both present, signed body", () => {
    const body = new TextEncoder().encode("Welcome to Amazon S3.");
    const result = authenticate(
      request("PUT", "/test%24file.text", {
        host: "examplebucket.s3.amazonaws.com",
        date: "Fri, 24 May 2013 00:00:00 GMT",
        "x-amz-date": "20130524T000000Z",
        "x-amz-storage-class": "REDUCED_REDUNDANCY",
        "x-amz-content-sha256": "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072",
        authorization: authorization(
          "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class",
          "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd",
        ),
      }),
      CREDS,
      NOW,
    );
    expect(result.payload).toEqual({
      kind: "sha256",
      hex: "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072",
    });
    const check = sha256PayloadCheck((result.payload as { hex: string }).hex);
    check.update(body);
    expect(() => check.finish()).not.toThrow();
  });

  test("GET Bucket Lifecycle: a query parameter without a value", () => {
    const result = authenticate(
      request("GET", "/?lifecycle", {
        host: "examplebucket.s3.amazonaws.com",
        "x-amz-content-sha256": EMPTY_SHA256,
        "x-amz-date": "20130524T000000Z",
        authorization: authorization(
          "host;x-amz-content-sha256;x-amz-date",
          "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543",
        ),
      }),
      CREDS,
      NOW,
    );
    expect(result.presigned).toBe(false);
  });

  test("GET Bucket (List Objects): query sorted by name", () => {
    const result = authenticate(
      request("GET", "/?max-keys=2&prefix=J", {
        host: "examplebucket.s3.amazonaws.com",
        "x-amz-content-sha256": EMPTY_SHA256,
        "x-amz-date": "20130524T000000Z",
        authorization: authorization(
          "host;x-amz-content-sha256;x-amz-date",
          "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7",
        ),
      }),
      CREDS,
      NOW,
    );
    expect(result.accessKey).toBe("AKIAIOSFODNN7EXAMPLE");
  });
});

describe("query-string auth example (sigv4-query-string-auth.html)", () => {
  const url =
    "/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256" +
    "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request" +
    "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host" +
    "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";

  test("the presigned GET verifies within its 86400 s", () => {
    const req = request("GET", url, { host: "examplebucket.s3.amazonaws.com" });
    expect(authenticate(req, CREDS, NOW + 86_399_000)).toEqual({
      accessKey: "AKIAIOSFODNN7EXAMPLE",
      presigned: true,
      payload: { kind: "unsigned" },
    });
  });

  test("and is refused once expired", () => {
    const req = request("GET", url, { host: "examplebucket.s3.amazonaws.com" });
    expect(() => authenticate(req, CREDS, NOW + 86_401_000)).toThrow("Request has expired");
  });
});

const A = new Uint8Array(66_560).fill(0x61);

function frame(size: number, signature: string, data: Uint8Array): Uint8Array[] {
  const header = new TextEncoder().encode(`${size.toString(16)};chunk-signature=${signature}\r\n`);
  return [header, data, new TextEncoder().encode("\r\n")];
}

describe("chunked upload example (sigv4-streaming.html)", () => {
  const headers = {
    host: "s3.amazonaws.com",
    "x-amz-date": "20130524T000000Z",
    "x-amz-storage-class": "REDUCED_REDUNDANCY",
    "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
    "content-encoding": "aws-chunked",
    "x-amz-decoded-content-length": "66560",
    "content-length": "66824",
    authorization: authorization(
      "content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class",
      "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9",
    ),
  };
  const body = Buffer.concat([
    ...frame(0x10000, "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648", A.subarray(0, 65_536)),
    ...frame(0x400, "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497", A.subarray(65_536)),
    ...frame(0, "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9", new Uint8Array(0)),
  ]);

  test("the seed signature verifies and the body decodes to 66560 'a'", async () => {
    expect(body.length).toBe(66_824);
    const result = authenticate(request("PUT", "/examplebucket/chunkObject.txt", headers), CREDS, NOW);
    expect(result.payload).toMatchObject({ kind: "chunked", signed: true, trailer: false });
    if (result.payload.kind !== "chunked") throw new Error("unreachable");
    const { data, trailers } = await decodeAll(
      decodeAwsChunked(pieces(body, 1000), { signer: result.payload.signer, trailer: false, decodedLength: 66_560 }),
    );
    expect(Buffer.compare(data, Buffer.from(A))).toBe(0);
    expect(trailers).toEqual({});
  });
});

describe("chunked upload with trailer example (sigv4-streaming-trailers.html)", () => {
  const headers = {
    host: "s3.amazonaws.com",
    "x-amz-date": "20130524T000000Z",
    "x-amz-storage-class": "REDUCED_REDUNDANCY",
    "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
    "content-encoding": "aws-chunked",
    "x-amz-decoded-content-length": "66560",
    "x-amz-trailer": "x-amz-checksum-crc32c",
    authorization: authorization(
      "content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class;x-amz-trailer",
      "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e",
    ),
  };
  const body = Buffer.concat([
    ...frame(0x10000, "b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2", A.subarray(0, 65_536)),
    ...frame(0x400, "1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7", A.subarray(65_536)),
    Buffer.from(
      "0;chunk-signature=2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992\r\n" +
        "x-amz-checksum-crc32c:sOO8/Q==\r\n" +
        "x-amz-trailer-signature:d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435\r\n\r\n",
    ),
  ]);

  test("seed, chunk and trailer signatures verify; the trailer checksum matches", async () => {
    const req = request("PUT", "/examplebucket/chunkObject.txt", headers);
    const result = authenticate(req, CREDS, NOW);
    if (result.payload.kind !== "chunked") throw new Error("expected a chunked payload");
    expect(result.payload.trailer).toBe(true);
    const check = trailerChecksumCheck(req.headers)!;
    const gen = decodeAwsChunked(pieces(body, 4096), { signer: result.payload.signer, trailer: true, decodedLength: 66_560 });
    const { data, trailers } = await decodeAll(gen);
    check.update(data);
    expect(trailers).toEqual({ "x-amz-checksum-crc32c": "sOO8/Q==" });
    expect(check.finish(trailers)).toBe("sOO8/Q==");
  });

  test("a changed trailer value breaks the trailer signature", async () => {
    const result = authenticate(request("PUT", "/examplebucket/chunkObject.txt", headers), CREDS, NOW);
    if (result.payload.kind !== "chunked") throw new Error("expected a chunked payload");
    const forged = Buffer.from(body.toString("latin1").replace("sOO8/Q==", "AAAAAA=="), "latin1");
    const gen = decodeAwsChunked(pieces(forged, 4096), { signer: result.payload.signer, trailer: true });
    await expect(decodeAll(gen)).rejects.toMatchObject({ code: "SignatureDoesNotMatch" });
  });
});
