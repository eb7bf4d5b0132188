/**
 * decodeAwsChunked on hand-made framings: signed and unsigned, with and
 * without trailers, split at every byte, broken in every way we know of, and
 * one large body to show memory stays bounded. AWS's own documented examples
 * are in sigv4-aws-examples.test.ts.
 */
import { describe, expect, test } from "bun:test";
import { S3Error } from "../../src/s3/errors.ts";
import { chunkSignature, createChunkSigner, trailerSignature } from "../../src/s3/sigv4/chunk-signer.ts";
import { decodeAwsChunked, type DecodeOptions } from "../../src/s3/sigv4/chunked.ts";
import { credentialScope, EMPTY_SHA256, sha256Hex, signingKey } from "../../src/s3/sigv4/signing-key.ts";

const CTX = { signingKey: signingKey("secret", "20240102"), amzDate: "20240102T030405Z", scope: credentialScope("20240102") };
const SEED = "c0ffee".padEnd(64, "0");
const enc = new TextEncoder();

/** A signed aws-chunked body for `chunks`, optionally with trailers, framed as the AWS SDKs do. */
function signedBody(chunks: string[], trailers?: Record<string, string>): string {
  let prev = SEED;
  let out = "";
  for (const data of [...chunks, ""]) {
    prev = chunkSignature(CTX, prev, sha256Hex(data));
    out += `${data.length.toString(16)};chunk-signature=${prev}\r\n${data}${data ? "\r\n" : ""}`;
  }
  if (!trailers) return `${out}\r\n`;
  const lines = Object.entries(trailers).map(([k, v]) => `${k}:${v}\n`).join("");
  for (const [k, v] of Object.entries(trailers)) out += `${k}:${v}\r\n`;
  return `${out}x-amz-trailer-signature:${trailerSignature(CTX, prev, sha256Hex(lines))}\r\n\r\n`;
}

const signed = (trailer = false, decodedLength?: number): DecodeOptions => ({
  signer: createChunkSigner(CTX, SEED),
  trailer,
  decodedLength,
});
const unsigned = (decodedLength?: number): DecodeOptions => ({ signer: null, trailer: true, decodedLength });

async function* split(body: string | Uint8Array, ...at: number[]): AsyncGenerator<Uint8Array> {
  const bytes = typeof body === "string" ? enc.encode(body) : body;
  let from = 0;
  for (const to of [...at, bytes.length]) {
    if (to > from) yield bytes.slice(from, to);
    from = Math.max(from, to);
  }
}

async function* byteByByte(body: string): AsyncGenerator<Uint8Array> {
  for (const b of enc.encode(body)) yield new Uint8Array([b]);
}

async function decode(source: AsyncIterable<Uint8Array>, opts: DecodeOptions) {
  const gen = decodeAwsChunked(source, opts);
  let data = "";
  const decoder = new TextDecoder();
  for (;;) {
    const step = await gen.next();
    if (step.done) return { data: data + decoder.decode(), trailers: step.value };
    data += decoder.decode(step.value, { stream: true });
  }
}

async function failure(source: AsyncIterable<Uint8Array>, opts: DecodeOptions): Promise<string> {
  try {
    await decode(source, opts);
  } catch (e) {
    if (e instanceof S3Error) return e.code;
    throw e;
  }
  throw new Error("decoded without error");
}

const SDK_UNSIGNED = "b\r\nhello world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n";

describe("well-formed bodies", () => {
  test("aws-sdk-js v3 unsigned trailer framing", async () => {
    expect(await decode(split(SDK_UNSIGNED), unsigned(11))).toEqual({
      data: "hello world",
      trailers: { "x-amz-checksum-crc32": "DUoRhQ==" },
    });
  });

  test("aws-sdk-js v3 without a checksum ends with a bare '0\\r\\n'", async () => {
    expect(await decode(split("5\r\nhello\r\n0\r\n"), unsigned(5))).toEqual({ data: "hello", trailers: {} });
  });

  test("'\\n' line ends, a missing final CRLF, and unknown chunk extensions are accepted", async () => {
    const body = "5;ext=1\nhello\n6\n world\n0\nx-amz-checksum-crc32:DUoRhQ==";
    expect(await decode(split(body), unsigned(11))).toEqual({
      data: "hello world",
      trailers: { "x-amz-checksum-crc32": "DUoRhQ==" },
    });
  });

  test("signed chunks, no trailer", async () => {
    const body = signedBody(["a".repeat(9000), "b".repeat(8192), "tail"]);
    const { data } = await decode(split(body), signed(false, 17_196));
    expect(data).toBe("a".repeat(9000) + "b".repeat(8192) + "tail");
  });

  test("signed chunks with a signed trailer, also with the doc's blank line before it", async () => {
    const body = signedBody(["hello ", "world"], { "x-amz-checksum-crc32": "DUoRhQ==" });
    const expected = { data: "hello world", trailers: { "x-amz-checksum-crc32": "DUoRhQ==" } };
    expect(await decode(split(body), signed(true, 11))).toEqual(expected);
    const blank = body.replace(/(0;chunk-signature=[0-9a-f]{64}\r\n)/, "$1\r\n");
    expect(blank).not.toBe(body);
    expect(await decode(split(blank), signed(true, 11))).toEqual(expected);
  });

  test("an empty object: only the final chunk", async () => {
    expect(await decode(split(signedBody([])), signed(false, 0))).toEqual({ data: "", trailers: {} });
    expect(await decode(split("0\r\n\r\n"), unsigned(0))).toEqual({ data: "", trailers: {} });
  });

  test("split at every byte boundary, and fed one byte at a time", async () => {
    const bodies: [string, () => DecodeOptions][] = [
      [SDK_UNSIGNED, () => unsigned(11)],
      [signedBody(["hello ", "world"], { "x-amz-checksum-crc32": "DUoRhQ==" }), () => signed(true, 11)],
      [signedBody(["hello ", "world"]), () => signed(false, 11)],
    ];
    for (const [body, opts] of bodies) {
      const whole = await decode(split(body), opts());
      for (let i = 0; i <= body.length; i++) expect(await decode(split(body, i), opts())).toEqual(whole);
      for (let i = 0; i + 7 <= body.length; i += 3) expect(await decode(split(body, i, i + 7), opts())).toEqual(whole);
      expect(await decode(byteByByte(body), opts())).toEqual(whole);
    }
  });

  test("data is handed on in the source's own pieces, not gathered per chunk", async () => {
    const body = signedBody(["x".repeat(64 * 1024)]);
    const sizes: number[] = [];
    for await (const piece of decodeAwsChunked(split(body, 1000, 2000, 3000), signed(false))) sizes.push(piece.length);
    expect(sizes.length).toBeGreaterThan(3);
    expect(sizes.reduce((a, b) => a + b)).toBe(64 * 1024);
  });
});

describe("broken bodies", () => {
  const good = signedBody(["hello ", "world"], { "x-amz-checksum-crc32": "DUoRhQ==" });

  test("truncated anywhere before the final chunk: IncompleteBody", async () => {
    const end = good.indexOf("\n", good.indexOf("0;chunk-signature")) + 1;
    for (let at = 0; at < end; at++) expect(await failure(split(good.slice(0, at)), signed(true))).toBe("IncompleteBody");
    expect(await failure(split("5\r\nhel"), unsigned())).toBe("IncompleteBody");
    expect(await failure(split("5\r\nhello\r\n"), unsigned())).toBe("IncompleteBody");
    expect(await failure(split(""), unsigned())).toBe("IncompleteBody");
  });

  test("decoded length other than x-amz-decoded-content-length: IncompleteBody", async () => {
    expect(await failure(split(good), signed(true, 10))).toBe("IncompleteBody");
    expect(await failure(split(good), signed(true, 12))).toBe("IncompleteBody");
    expect(await failure(split(SDK_UNSIGNED), unsigned(0))).toBe("IncompleteBody");
  });

  test("a chunk size that is not hex, or absurd: InvalidChunkSizeError", async () => {
    expect(await failure(split("zz\r\nhello\r\n0\r\n\r\n"), unsigned())).toBe("InvalidChunkSizeError");
    expect(await failure(split("\r\nhello\r\n0\r\n\r\n"), unsigned())).toBe("InvalidChunkSizeError");
    expect(await failure(split("-5\r\nhello\r\n0\r\n\r\n"), unsigned())).toBe("InvalidChunkSizeError");
    expect(await failure(split("fffffffffffffffff\r\n"), unsigned())).toBe("InvalidChunkSizeError");
    expect(await failure(split("ffffffffffffffff\r\n"), unsigned())).toBe("InvalidChunkSizeError");
  });

  test("a chunk header line over 4 KiB: InvalidChunkSizeError, without reading on", async () => {
    let pulled = 0;
    async function* endless(): AsyncGenerator<Uint8Array> {
      for (;;) {
        pulled++;
        yield enc.encode("5;x=".padEnd(1024, "y"));
      }
    }
    expect(await failure(endless(), unsigned())).toBe("InvalidChunkSizeError");
    expect(pulled).toBeLessThan(10);
  });

  test("chunk data longer than its size: InvalidChunkSizeError", async () => {
    expect(await failure(split("4\r\nhello\r\n0\r\n\r\n"), unsigned())).toBe("InvalidChunkSizeError");
  });

  test("a wrong, missing or replayed chunk signature: SignatureDoesNotMatch", async () => {
    const sigs = [...good.matchAll(/chunk-signature=([0-9a-f]{64})/g)].map((m) => m[1]!);
    const wrong = good.replace(sigs[1]!, sigs[0]!);
    const missing = good.replace(`;chunk-signature=${sigs[0]}`, "");
    const tampered = good.replace("world", "w0rld");
    const finalWrong = good.replace(sigs[2]!, "0".repeat(64));
    const otherSeed = { ...signed(true), signer: createChunkSigner(CTX, "d".repeat(64)) };
    for (const body of [wrong, missing, tampered, finalWrong])
      expect(await failure(split(body), signed(true))).toBe("SignatureDoesNotMatch");
    expect(await failure(split(good), otherSeed)).toBe("SignatureDoesNotMatch");
  });

  test("chunks swapped: SignatureDoesNotMatch", async () => {
    const a = signedBody(["first", "second"]);
    const parts = a.split(/(?=[0-9a-f]+;chunk-signature)/);
    const swapped = [parts[1], parts[0], ...parts.slice(2)].join("");
    expect(await failure(split(swapped), signed(false))).toBe("SignatureDoesNotMatch");
  });

  test("trailers: bad syntax, unsigned in a signed body, forged value: MalformedTrailerError / SignatureDoesNotMatch", async () => {
    expect(await failure(split("0\r\nno-colon-here\r\n\r\n"), unsigned())).toBe("MalformedTrailerError");
    expect(await failure(split("0\r\n:value\r\n\r\n"), unsigned())).toBe("MalformedTrailerError");
    const noSig = good.replace(/x-amz-trailer-signature:[0-9a-f]+\r\n/, "");
    expect(await failure(split(noSig), signed(true))).toBe("MalformedTrailerError");
    const after = good.replace(/\r\n\r\n$/, "\r\nx-amz-meta-late:1\r\n\r\n");
    expect(await failure(split(after), signed(true))).toBe("MalformedTrailerError");
    const forged = good.replace("DUoRhQ==", "AAAAAA==");
    expect(await failure(split(forged), signed(true))).toBe("SignatureDoesNotMatch");
    const huge = `0\r\nx-amz-meta-a:${"a".repeat(20_000)}\r\n\r\n`;
    expect(await failure(split(huge), unsigned())).toBe("MalformedTrailerError");
  });

  test("data after the final chunk of a body without trailers: MalformedTrailerError", async () => {
    const body = `${signedBody(["hello"])}x-amz-checksum-crc32:AAAAAA==\r\n`;
    expect(await failure(split(body), signed(false))).toBe("MalformedTrailerError");
  });
});

describe("pieces across reads", () => {
  const CHUNKS = ["a".repeat(300), "b".repeat(5), "c".repeat(700)];
  const body = enc.encode(signedBody(CHUNKS, { "x-amz-checksum-crc32": "AAAAAA==" }));

  async function pieces(source: AsyncIterable<Uint8Array>, opts: DecodeOptions): Promise<Uint8Array[]> {
    const out: Uint8Array[] = [];
    for await (const piece of decodeAwsChunked(source, opts)) out.push(piece);
    return out;
  }

  test("a chunk within one read is one view of that read, not a copy", async () => {
    const read = body.slice();
    const views = await pieces(
      (async function* () {
        yield read;
      })(),
      signed(true, 1005),
    );
    expect(views.map((v) => new TextDecoder().decode(v))).toEqual(CHUNKS);
    for (const v of views) expect(v.buffer).toBe(read.buffer);
  });

  test("a chunk spanning reads comes as one piece per read, together its exact bytes", async () => {
    const start = new TextDecoder().decode(body).indexOf("c".repeat(700));
    const got = await pieces(split(body, start + 100, start + 400), signed(true, 1005));
    expect(got.map((p) => p.length)).toEqual([300, 5, 100, 300, 300]);
  });

  test("the same refusals wherever the reads split a broken body", async () => {
    const text = new TextDecoder().decode(body);
    const sigs = [...text.matchAll(/chunk-signature=([0-9a-f]{64})/g)].map((m) => m[1]!);
    const broken: [string, string][] = [
      [text.replace("b".repeat(5), "bbbbB"), "SignatureDoesNotMatch"],
      [text.replace(sigs[1]!, sigs[0]!), "SignatureDoesNotMatch"],
      [text.replace(`${"c".repeat(700)}\r\n`, `${"c".repeat(700)}X\r\n`), "InvalidChunkSizeError"],
      // A size one short: the signature over 299 bytes fails before the framing does.
      [text.replace(/^12c;/, "12b;"), "SignatureDoesNotMatch"],
      [text.slice(0, text.indexOf("c".repeat(700)) + 350), "IncompleteBody"],
      [text.replace("AAAAAA==", "AAAAAB=="), "SignatureDoesNotMatch"],
    ];
    for (const [bad, code] of broken) {
      const bytes = enc.encode(bad);
      for (let i = 0; i <= bytes.length; i++) expect(await failure(split(bytes, i), signed(true))).toBe(code);
    }
  });

  test("a huge claimed chunk size allocates nothing up front: what arrives streams on, then IncompleteBody", async () => {
    const got: number[] = [];
    const run = async () => {
      for await (const p of decodeAwsChunked(split("40000000\r\nzzzzzzzzzz", 14), unsigned())) got.push(p.length);
    };
    await expect(run()).rejects.toMatchObject({ code: "IncompleteBody" });
    expect(got).toEqual([4, 6]);
  });
});

describe("a 64 MiB body", () => {
  test("decodes with every chunk verified, in bounded memory", async () => {
    const CHUNK = 64 * 1024;
    const COUNT = 1024;
    const data = new Uint8Array(CHUNK).fill(0x5a);
    const dataHash = sha256Hex(data);
    // The source reuses one buffer and builds headers lazily, so the test itself holds ~64 KiB.
    async function* source(): AsyncGenerator<Uint8Array> {
      let prev = SEED;
      for (let i = 0; i <= COUNT; i++) {
        const last = i === COUNT;
        prev = chunkSignature(CTX, prev, last ? EMPTY_SHA256 : dataHash);
        yield enc.encode(`${last ? "0" : CHUNK.toString(16)};chunk-signature=${prev}\r\n`);
        if (!last) {
          yield data.subarray(0, 1000);
          yield data.subarray(1000);
          yield enc.encode("\r\n");
        }
      }
      yield enc.encode("\r\n");
    }
    Bun.gc(true);
    const before = process.memoryUsage.rss();
    let peak = before;
    let total = 0;
    let pieces = 0;
    const hasher = new Bun.CryptoHasher("sha256");
    for await (const piece of decodeAwsChunked(source(), signed(false, CHUNK * COUNT))) {
      total += piece.length;
      hasher.update(piece);
      if (++pieces % 128 === 0) peak = Math.max(peak, process.memoryUsage.rss());
    }
    expect(total).toBe(64 * 1024 * 1024);
    expect(hasher.digest("hex")).toBe(new Bun.CryptoHasher("sha256").update(new Uint8Array(total).fill(0x5a)).digest("hex"));
    expect(peak - before).toBeLessThan(32 * 1024 * 1024);
  });
});
