/**
 * Builds aws-chunked bodies the way the AWS SDKs frame them
 * (sigv4-streaming.html, sigv4-streaming-trailers.html), signed or not, so
 * tests can send valid ones and spoil them one way at a time. The bench uses
 * it too, to measure the server's decoding rather than a client's signing.
 */
import { createHash, createHmac } from "node:crypto";
import { buildMessage, type Message } from "./raw.ts";
import { SECRET_KEY, type TestServer } from "./server.ts";

const EMPTY_SHA256 = createHash("sha256").update("").digest("hex");

export interface ChunkSigning {
  secretKey: string;
  /** x-amz-date of the request, e.g. 20261124T010203Z. */
  amzDate: string;
  /** The Authorization header's signature (the seed). */
  seedSignature: string;
}

export function signingKey(secret: string, date: string): Buffer {
  let key: Buffer = createHmac("sha256", `AWS4${secret}`).update(date).digest();
  for (const part of ["us-east-1", "s3", "aws4_request"]) key = createHmac("sha256", key).update(part).digest();
  return key;
}

/**
 * Yields the framing of `chunks` plus the final zero-length chunk, then the
 * trailer lines if given (signed when `signing` is). Signatures chain from
 * the seed as the SDKs do.
 */
export function* chunkFrames(
  chunks: Iterable<Uint8Array>,
  signing: ChunkSigning | null,
  trailer?: Record<string, string>,
): Generator<Uint8Array> {
  const enc = new TextEncoder();
  const scope = signing ? `${signing.amzDate.slice(0, 8)}/us-east-1/s3/aws4_request` : "";
  const key = signing ? signingKey(signing.secretKey, signing.amzDate.slice(0, 8)) : null;
  let previous = signing?.seedSignature ?? "";
  const sign = (kind: string, hash: string, extra: string[]) => {
    const toSign = [kind, signing!.amzDate, scope, previous, ...extra, hash].join("\n");
    previous = createHmac("sha256", key!).update(toSign).digest("hex");
    return previous;
  };
  const frame = function* (data: Uint8Array) {
    const hash = createHash("sha256").update(data).digest("hex");
    const ext = signing ? `;chunk-signature=${sign("AWS4-HMAC-SHA256-PAYLOAD", hash, [EMPTY_SHA256])}` : "";
    yield enc.encode(`${data.length.toString(16)}${ext}\r\n`);
    if (data.length) yield data;
    // The SDKs end the last chunk of a trailer body without the empty line's CRLF (it comes after the trailers).
    if (data.length || !trailer) yield enc.encode("\r\n");
  };
  for (const c of chunks) yield* frame(c);
  yield* frame(new Uint8Array(0));
  if (trailer) {
    const lines = Object.entries(trailer).map(([k, v]) => `${k}:${v}`).join("\n") + "\n";
    yield enc.encode(lines.replace(/\n/g, "\r\n"));
    if (signing) {
      const hash = createHash("sha256").update(lines).digest("hex");
      yield enc.encode(`x-amz-trailer-signature:${sign("AWS4-HMAC-SHA256-TRAILER", hash, [])}\r\n`);
    }
    yield enc.encode("\r\n");
  }
}

export function concat(parts: Iterable<Uint8Array>): Uint8Array {
  const list = [...parts];
  const out = new Uint8Array(list.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of list) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

export function formatAmzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

export type ChunkedMode = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD" | "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER" | "STREAMING-UNSIGNED-PAYLOAD-TRAILER";

export interface ChunkedPut {
  mode: ChunkedMode;
  /** e.g. "/music/a.flac". */
  path: string;
  chunks: Uint8Array[];
  /** The trailer's CRC32 (base64); required by the trailer modes. */
  crc32?: string;
  /** Turns the well-formed body into the one to send. */
  spoil?: (body: Uint8Array) => Uint8Array;
  /** x-amz-decoded-content-length to declare (default: the real one; null: none). */
  decodedLength?: number | string | null;
}

/** A signed aws-chunked PUT as the SDKs frame it, spoiled after signing if asked. */
export async function chunkedPutMessage(server: TestServer, s: ChunkedPut): Promise<Message> {
  const signed = s.mode !== "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
  const trailer = s.mode.endsWith("TRAILER") ? { "x-amz-checksum-crc32": s.crc32 ?? "" } : undefined;
  const date = new Date(Math.floor(Date.now() / 1000) * 1000);
  const frame = (seedSignature: string) => {
    const signing = signed ? { secretKey: SECRET_KEY, amzDate: formatAmzDate(date.getTime()), seedSignature } : null;
    const body = concat(chunkFrames(s.chunks, signing, trailer));
    return s.spoil ? s.spoil(body) : body;
  };
  // The seed signature covers Content-Length; the framed length does not depend on signature values.
  const length = frame("0".repeat(64)).length;
  const message = await buildMessage(server, {
    method: "PUT",
    path: s.path,
    payloadHash: s.mode,
    signingDate: date,
    headers: {
      "content-encoding": "aws-chunked",
      "content-length": String(length),
      ...(s.decodedLength === null ? {} : { "x-amz-decoded-content-length": String(s.decodedLength ?? s.chunks.reduce((n, c) => n + c.length, 0)) }),
      ...(trailer ? { "x-amz-trailer": "x-amz-checksum-crc32" } : {}),
    },
  });
  const authorization = message.headers.find(([k]) => k === "authorization")?.[1] ?? "";
  return { ...message, body: frame(/Signature=([0-9a-f]{64})/.exec(authorization)?.[1] ?? "") };
}
