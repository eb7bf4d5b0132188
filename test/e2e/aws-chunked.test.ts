/**
 * aws-chunked bodies against the real server: every payload mode accepted
 * when well-formed (no default client here sends signed chunks over HTTP, so
 * they are framed by hand as the SDKs frame them), and each spoiled framing,
 * signature or trailer refused with the folder unchanged and nothing left
 * behind.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { checksumBase64 } from "../../src/s3/checksum.ts";
import { type ChunkedMode, chunkedPutMessage, concat } from "../helpers/aws-chunked.ts";
import { errorCode, exchange, parseResponses, type RawResponse, serialize } from "../helpers/raw.ts";
import { startServer, type TestServer } from "../helpers/server.ts";
import { leftovers, snapshot } from "../helpers/tree.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.[Symbol.asyncDispose]();
});

const DATA = new Uint8Array(200 * 1024).map((_, i) => (i * 31) % 251);
const pieces = () => [DATA.subarray(0, 65536), DATA.subarray(65536, 131072), DATA.subarray(131072)];
const crc32 = checksumBase64("CRC32", DATA);

interface Send {
  mode: ChunkedMode;
  key: string;
  /** Turns the well-formed body into the one to send. */
  spoil?: (body: Uint8Array) => Uint8Array;
  trailerValue?: string;
  chunks?: Uint8Array[];
  decodedLength?: number;
}

async function send(s: Send): Promise<RawResponse> {
  const message = await chunkedPutMessage(server, {
    mode: s.mode,
    path: `/music/${s.key}`,
    chunks: s.chunks ?? pieces(),
    crc32: s.trailerValue ?? crc32,
    spoil: s.spoil,
    decodedLength: s.decodedLength,
  });
  return parseResponses((await exchange(server.port, [serialize(message)])).bytes)[0]!;
}

describe("well-formed bodies are stored byte for byte", () => {
  for (const mode of ["STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", "STREAMING-UNSIGNED-PAYLOAD-TRAILER"] as const)
    test(mode, async () => {
      const key = `chunked/${mode}.flac`;
      const res = await send({ mode, key });
      expect(res.status).toBe(200);
      expect(res.headers.etag).toBe(`"${new Bun.CryptoHasher("md5").update(DATA).digest("hex")}"`);
      expect(new Uint8Array(readFileSync(join(server.musicDir, key)))).toEqual(DATA);
    });
});

describe("spoiled bodies are refused and leave nothing", () => {
  const flipByte = (at: (b: Uint8Array) => number) => (b: Uint8Array) => {
    const copy = b.slice();
    const i = at(copy);
    copy[i] = copy[i]! ^ 0x01;
    return copy;
  };
  const text = (b: Uint8Array) => new TextDecoder("latin1").decode(b);
  const cases: Array<[string, Send, number, string]> = [
    ["a wrong chunk signature", { mode: "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", key: "bad/sig.flac", spoil: flipByte((b) => text(b).indexOf("chunk-signature=") + 20) }, 403, "SignatureDoesNotMatch"],
    ["a changed data byte (its chunk signature no longer matches)", { mode: "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", key: "bad/data.flac", spoil: flipByte(() => 200) }, 403, "SignatureDoesNotMatch"],
    ["a truncated body (no final chunk)", { mode: "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", key: "bad/trunc.flac", spoil: (b) => b.subarray(0, b.length - 120) }, 400, "IncompleteBody"],
    ["an oversized chunk header", { mode: "STREAMING-UNSIGNED-PAYLOAD-TRAILER", key: "bad/header.flac", spoil: (b) => concat([new TextEncoder().encode("1" + "0".repeat(6000) + "\r\n"), b]) }, 400, "InvalidChunkSizeError"],
    ["a non-hex chunk size", { mode: "STREAMING-UNSIGNED-PAYLOAD-TRAILER", key: "bad/hex.flac", spoil: (b) => concat([new TextEncoder().encode("zz\r\n"), b]) }, 400, "InvalidChunkSizeError"],
    ["a wrong trailer checksum", { mode: "STREAMING-UNSIGNED-PAYLOAD-TRAILER", key: "bad/crc.flac", trailerValue: "AAAAAA==" }, 400, "BadDigest"],
    ["a wrong trailer signature", { mode: "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", key: "bad/tsig.flac", spoil: flipByte((b) => text(b).indexOf("x-amz-trailer-signature:") + 30) }, 403, "SignatureDoesNotMatch"],
    ["a decoded length that is a lie", { mode: "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", key: "bad/len.flac", decodedLength: DATA.length + 1 }, 400, "IncompleteBody"],
  ];
  // The client keeps writing after the server has refused the body: the
  // server must read the rest (drain) or the kernel resets the connection
  // and the client never sees the error.
  const LARGE = Array.from({ length: 128 }, () => DATA.subarray(0, 65536));
  cases.push([
    "a wrong first chunk signature on an 8 MiB body the client sends whole",
    { mode: "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", key: "bad/large.flac", chunks: LARGE, decodedLength: 128 * 65536, spoil: flipByte((b) => text(b.subarray(0, 200)).indexOf("chunk-signature=") + 20) },
    403,
    "SignatureDoesNotMatch",
  ]);
  for (const [name, req, status, code] of cases)
    test(name, async () => {
      const before = snapshot(server.musicDir);
      const res = await send(req);
      expect({ status: res.status, code: errorCode(res.body) }).toEqual({ status, code });
      expect(snapshot(server.musicDir)).toEqual(before);
      expect(leftovers(server.musicDir)).toEqual([]);
    });
});
