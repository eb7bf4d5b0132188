/** body-check.ts: the promises a request makes about its body, kept or broken. */
import { describe, expect, test } from "bun:test";
import {
  checksumCheck, checksumFromHeaders, contentMd5Matches, requestedChecksumAlgorithm, sha256PayloadCheck,
  trailerChecksumCheck,
} from "../../src/s3/body-check.ts";
import { CHECKSUM_ALGORITHMS, checksumBase64 } from "../../src/s3/checksum.ts";
import { S3Error } from "../../src/s3/errors.ts";

const body = new TextEncoder().encode("hello world");
const md5Hex = new Bun.CryptoHasher("md5").update(body).digest("hex");
const sha256 = new Bun.CryptoHasher("sha256").update(body).digest("hex");

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof S3Error) return `${e.status} ${e.code}`;
    throw e;
  }
  return "ok";
}

describe("sha256PayloadCheck", () => {
  test("passes on the hashed body, fed in pieces", () => {
    const check = sha256PayloadCheck(sha256.toUpperCase());
    check.update(body.subarray(0, 4));
    check.update(body.subarray(4));
    expect(codeOf(() => check.finish())).toBe("ok");
  });

  test("any other body: 400 XAmzContentSHA256Mismatch with both hashes", () => {
    const check = sha256PayloadCheck(sha256);
    check.update(body.subarray(1));
    try {
      check.finish();
      throw new Error("accepted");
    } catch (e) {
      expect(e).toMatchObject({ code: "XAmzContentSHA256Mismatch", status: 400 });
      expect((e as S3Error).fields.ClientComputedContentSHA256).toBe(sha256);
    }
  });
});

describe("checksumCheck", () => {
  test.each(CHECKSUM_ALGORITHMS)("%s: passes, keeps the value, and refuses another body", (algorithm) => {
    const value = checksumBase64(algorithm, body);
    const check = checksumCheck(algorithm, value);
    check.update(body);
    check.finish();
    expect(check.value).toBe(value);
    const other = checksumCheck(algorithm, value);
    other.update(body.subarray(1));
    expect(codeOf(() => other.finish())).toBe("400 BadDigest");
  });

  test("a value that is not base64 of the digest's size: 400 InvalidDigest before any byte", () => {
    for (const value of ["", "DUoRhQ", "DUoRhQ==x", "!!!!!!==", "DUoRhQDUoRhQ==", checksumBase64("SHA1", body)])
      expect(codeOf(() => checksumCheck("CRC32", value))).toBe("400 InvalidDigest");
  });
});

test("contentMd5Matches: match, mismatch (BadDigest), not a base64 MD5 (InvalidDigest)", () => {
  const good = Buffer.from(md5Hex, "hex").toString("base64");
  expect(codeOf(() => contentMd5Matches(md5Hex, good))).toBe("ok");
  expect(codeOf(() => contentMd5Matches(md5Hex.toUpperCase(), good))).toBe("ok");
  expect(codeOf(() => contentMd5Matches("0".repeat(32), good))).toBe("400 BadDigest");
  expect(codeOf(() => contentMd5Matches(md5Hex, md5Hex))).toBe("400 InvalidDigest");
  expect(codeOf(() => contentMd5Matches(md5Hex, "AAAA"))).toBe("400 InvalidDigest");
});

test("checksumFromHeaders: none, one, several", () => {
  expect(checksumFromHeaders(new Headers({ "content-md5": "x" }))).toBeNull();
  expect(checksumFromHeaders(new Headers({ "x-amz-checksum-crc64nvme": " AAAAAAAAAAA= " }))).toEqual({
    algorithm: "CRC64NVME",
    value: "AAAAAAAAAAA=",
  });
  const two = new Headers({ "x-amz-checksum-crc32": "DUoRhQ==", "x-amz-checksum-sha1": "x" });
  expect(codeOf(() => checksumFromHeaders(two))).toBe("400 InvalidRequest");
});

describe("trailerChecksumCheck", () => {
  const headers = new Headers({ "x-amz-trailer": "x-amz-checksum-crc32" });

  test("no x-amz-trailer: null; an unknown one: 400 InvalidArgument", () => {
    expect(trailerChecksumCheck(new Headers())).toBeNull();
    expect(codeOf(() => trailerChecksumCheck(new Headers({ "x-amz-trailer": "x-amz-checksum-md5" })))).toBe("400 InvalidArgument");
  });

  test("the trailer value is checked against the body", () => {
    const ok = trailerChecksumCheck(headers)!;
    ok.update(body);
    expect(ok.finish({ "x-amz-checksum-crc32": "DUoRhQ==" })).toBe("DUoRhQ==");

    const cases: [Record<string, string>, string][] = [
      [{}, "400 MalformedTrailerError"],
      [{ "x-amz-checksum-crc32c": "yZRlqg==" }, "400 MalformedTrailerError"],
      [{ "x-amz-checksum-crc32": "AAAAAA==" }, "400 BadDigest"],
      [{ "x-amz-checksum-crc32": "nonsense" }, "400 InvalidDigest"],
    ];
    for (const [trailers, code] of cases) {
      const check = trailerChecksumCheck(headers)!;
      check.update(body);
      expect(codeOf(() => check.finish(trailers))).toBe(code);
    }
  });
});

test("requestedChecksumAlgorithm", () => {
  expect(requestedChecksumAlgorithm(new Headers())).toBeNull();
  expect(requestedChecksumAlgorithm(new Headers({ "x-amz-sdk-checksum-algorithm": "crc32" }))).toBe("CRC32");
  expect(requestedChecksumAlgorithm(new Headers({ "x-amz-checksum-algorithm": "CRC64NVME" }))).toBe("CRC64NVME");
  expect(codeOf(() => requestedChecksumAlgorithm(new Headers({ "x-amz-checksum-algorithm": "MD5" })))).toBe("400 InvalidArgument");
});
