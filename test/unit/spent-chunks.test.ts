/**
 * Body chunks freed once spent (src/s3/spent-chunks.ts): each read's buffer
 * is detached when the next is asked for, never while a consumer or the
 * aws-chunked decoder still reads it, only a buffer made for that chunk, and
 * only from a source that declared its chunks fresh.
 */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, openSync, closeSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FreshChunks, freedWhenSpent } from "../../src/s3/spent-chunks.ts";
import { VerifiedBody } from "../../src/s3/verified-body.ts";
import { writeBody } from "../../src/store/atomic-write.ts";

const enc = new TextEncoder();
const detached = (chunk: Uint8Array) => (chunk.buffer as ArrayBuffer).detached;

/** `bytes` in reads of `size` bytes, each in a buffer of its own (as Bun hands a body over); `reads` collects them. */
async function* reads(bytes: Uint8Array, size: number, out: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) {
    const chunk = new Uint8Array(bytes.subarray(at, at + size)); // a copy (Buffer's slice() is a view)
    out.push(chunk);
    yield chunk;
  }
}

/** Unsigned aws-chunked framing of `data` in chunks of `chunk` bytes, without a trailer. */
function awsChunked(data: Uint8Array, chunk: number): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let at = 0; at < data.length; at += chunk) {
    const piece = data.subarray(at, at + chunk);
    parts.push(enc.encode(`${piece.length.toString(16)}\r\n`), piece, enc.encode("\r\n"));
  }
  parts.push(enc.encode("0\r\n\r\n"));
  return Buffer.concat(parts);
}

function pattern(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + (i >> 8)) & 0xff;
  return out;
}

async function writeToFile(body: VerifiedBody): Promise<Uint8Array> {
  const path = join(mkdtempSync(join(tmpdir(), "spent-")), "out");
  const fd = openSync(path, "w");
  try {
    await writeBody(fd, body, 0, Number.MAX_SAFE_INTEGER);
  } finally {
    closeSync(fd);
  }
  return new Uint8Array(readFileSync(path));
}

describe("freedWhenSpent", () => {
  test("a chunk is freed when the next is asked for, the last when the iteration ends", async () => {
    const source: Uint8Array[] = [];
    const seen: number[] = [];
    for await (const chunk of freedWhenSpent(reads(pattern(1000), 300, source))) {
      expect(chunk.byteLength).toBeGreaterThan(0); // readable while it is the current one
      seen.push(chunk[0]!);
      expect(source.slice(0, -1).every(detached)).toBe(true);
    }
    expect(seen).toEqual([0, 300, 600, 900].map((at) => pattern(1000)[at]!));
    expect(source.map(detached)).toEqual([true, true, true, true]);
  });

  test("a view into a larger buffer is left alone (it is not this chunk's to free)", async () => {
    const shared = pattern(100);
    async function* views() {
      yield shared.subarray(0, 50);
      yield shared.subarray(50);
    }
    for await (const _ of freedWhenSpent(views()));
    expect(detached(shared)).toBe(false);
    expect(shared).toEqual(pattern(100));
  });

  test("a consumer that stops early frees what it was given", async () => {
    const source: Uint8Array[] = [];
    for await (const _ of freedWhenSpent(reads(pattern(1000), 100, source))) break;
    expect(source.map(detached)).toEqual([true]);
  });
});

describe("an upload written with its chunks freed", () => {
  // Reads of 7 and 4096 + 3 bytes put chunk headers, data and CRLFs across
  // reads in every way: a view the decoder kept across a read would now be
  // empty, and the file would be wrong.
  for (const readSize of [7, 4099, 65536]) {
    test(`aws-chunked in reads of ${readSize} bytes: the file holds the data, every read was freed`, async () => {
      const data = pattern(300_000);
      const source: Uint8Array[] = [];
      const body = new VerifiedBody(new FreshChunks(reads(awsChunked(data, 65536), readSize, source)), {
        maxBytes: 1 << 30,
        expectedBytes: data.length,
        chunked: { signer: null, trailer: false, decodedLength: data.length, trailerChecksum: null },
      });
      expect(await writeToFile(body)).toEqual(data);
      expect(body.md5).toBe(new Bun.CryptoHasher("md5").update(data).digest("hex"));
      expect(source.every(detached)).toBe(true);
    });

    test(`a plain body in reads of ${readSize} bytes: the file holds the data, every read was freed`, async () => {
      const data = pattern(300_000);
      const source: Uint8Array[] = [];
      const body = new VerifiedBody(new FreshChunks(reads(data, readSize, source)), { maxBytes: 1 << 30, expectedBytes: data.length });
      expect(await writeToFile(body)).toEqual(data);
      expect(body.md5).toBe(new Bun.CryptoHasher("md5").update(data).digest("hex"));
      expect(source.every(detached)).toBe(true);
    });
  }

  test("bytes the caller still holds (not FreshChunks) are never freed, even by a writer", async () => {
    const data = pattern(300_000);
    const body = new VerifiedBody((async function* () {
      yield data;
    })(), { maxBytes: 1 << 30, expectedBytes: data.length });
    expect(await writeToFile(body)).toEqual(pattern(300_000));
    expect(detached(data)).toBe(false);
    expect(data).toEqual(pattern(300_000));
  });

  test("a consumer that did not ask for it keeps every chunk (the XML bodies collect theirs)", async () => {
    const source: Uint8Array[] = [];
    const body = new VerifiedBody(new FreshChunks(reads(pattern(1000), 100, source)), { maxBytes: 1 << 30 });
    const kept: Uint8Array[] = [];
    for await (const chunk of body) kept.push(chunk);
    expect(Buffer.concat(kept)).toEqual(Buffer.from(pattern(1000)));
    expect(source.some(detached)).toBe(false);
  });
});
