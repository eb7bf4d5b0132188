/**
 * The checksums against published check values, against the AWS SDK's own
 * implementations on random data, and across arbitrary update boundaries.
 */
import { Crc32c as AwsCrc32c } from "@aws-crypto/crc32c";
import { Crc64Nvme as AwsCrc64Nvme } from "@aws-sdk/crc64-nvme";
import { describe, expect, test } from "bun:test";
import {
  CHECKSUM_ALGORITHMS, CHECKSUM_BYTES, type ChecksumAlgorithm, checksumBase64, checksumHeaderName, createChecksum,
} from "../../src/s3/checksum.ts";

const enc = new TextEncoder();
const hex = (a: ChecksumAlgorithm, data: Uint8Array) => Buffer.from(checksumBase64(a, data), "base64").toString("hex");

function random(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

test.each([
  // CRC catalogue check values ("123456789") and the digests of "".
  ["CRC32", "cbf43926", "00000000"],
  ["CRC32C", "e3069283", "00000000"],
  ["CRC64NVME", "ae8b14860a799888", "0000000000000000"],
  ["SHA1", "f7c3bc1d808e04732adf679965ccc34ca7ae3441", "da39a3ee5e6b4b0d3255bfef95601890afd80709"],
  ["SHA256", "15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"],
] as const)("%s of '123456789' and of ''", (algorithm, check, empty) => {
  expect(hex(algorithm, enc.encode("123456789"))).toBe(check);
  expect(hex(algorithm, new Uint8Array(0))).toBe(empty);
  expect(CHECKSUM_BYTES[algorithm]).toBe(check.length / 2);
});

test("header values seen from AWS: base64 of the big-endian digest", () => {
  // sigv4-streaming-trailers.html: CRC32C of the 66560 'a' bytes.
  expect(checksumBase64("CRC32C", new Uint8Array(66_560).fill(0x61))).toBe("sOO8/Q==");
  // aws-sdk-js v3's trailer for "hello world" (captured in sigv4-roundtrip.test.ts).
  expect(checksumBase64("CRC32", enc.encode("hello world"))).toBe("DUoRhQ==");
  expect(checksumBase64("SHA256", enc.encode("hello world"))).toBe("uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=");
});

test("header names", () => {
  expect(CHECKSUM_ALGORITHMS.map(checksumHeaderName)).toEqual([
    "x-amz-checksum-crc32", "x-amz-checksum-crc32c", "x-amz-checksum-crc64nvme", "x-amz-checksum-sha1", "x-amz-checksum-sha256",
  ]);
});

describe("against the AWS SDK's implementations", () => {
  const lengths = [...Array(40).keys(), 63, 64, 65, 255, 256, 1000, 4093, 65_536 + 7, 1 << 20];

  test("CRC32C equals @aws-crypto/crc32c", () => {
    for (const n of lengths) {
      const data = random(n, n + 1);
      const aws = new AwsCrc32c().update(data).digest();
      expect(hex("CRC32C", data)).toBe(aws.toString(16).padStart(8, "0"));
    }
  });

  test("CRC64NVME equals @aws-sdk/crc64-nvme", async () => {
    for (const n of lengths) {
      const data = random(n, n + 7);
      const aws = new AwsCrc64Nvme();
      aws.update(data);
      expect(hex("CRC64NVME", data)).toBe(Buffer.from(await aws.digest()).toString("hex"));
    }
  });

  test("CRC32 equals Bun.hash.crc32", () => {
    for (const n of lengths) {
      const data = random(n, n + 3);
      expect(hex("CRC32", data)).toBe(Bun.hash.crc32(data).toString(16).padStart(8, "0"));
    }
  });
});

test("any split into updates, aligned or not, gives the same digest", () => {
  const data = random(100_003, 42);
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const whole = hex(algorithm, data);
    for (const step of [1, 3, 7, 8, 9, 4096, 65_537]) {
      const sum = createChecksum(algorithm);
      // Offsets into a larger buffer, so views are not 8-byte aligned.
      const shifted = new Uint8Array(data.length + 5);
      shifted.set(data, 5);
      const view = shifted.subarray(5);
      for (let i = 0; i < view.length; i += step) sum.update(view.subarray(i, Math.min(i + step, view.length)));
      expect(Buffer.from(sum.digest()).toString("hex")).toBe(whole);
    }
  }
});
