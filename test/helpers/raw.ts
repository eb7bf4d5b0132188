/**
 * Requests no well-behaved client would send (traversal, lies about length,
 * broken framing), signed with AWS's own SigV4 signer and written byte for
 * byte to a socket, so that nothing normalises them on the way; and a reader
 * of what comes back that trusts nothing either (closed early, several
 * answers on one connection, chunked bodies).
 */
import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { connect } from "node:net";
import { ACCESS_KEY, SECRET_KEY, type TestServer } from "./server.ts";

export interface RawResponse {
  status: number;
  /** Lower-case names; a repeated header keeps its last value. */
  headers: Record<string, string>;
  /** The body, de-chunked, as UTF-8 text. */
  body: string;
  /** The same body as bytes, for checks that must see what was sent. */
  bytes: Uint8Array;
  /** Status line and header lines exactly as received. */
  head: string;
}

export interface RawRequest {
  method: string;
  /** Sent exactly as given, e.g. "/music/a/%2e%2e/b.mp3". */
  path: string;
  query?: Record<string, string>;
  /** The query sent exactly as given (without "?"), instead of `query`. */
  rawQuery?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Sign with this payload hash (default UNSIGNED-PAYLOAD). */
  payloadHash?: string;
  /** Skip signing entirely. */
  unsigned?: boolean;
  /** Added after signing, as an attacker would add them to a captured request. */
  addedHeaders?: Record<string, string>;
  secret?: string;
  accessKey?: string;
  region?: string;
  signingDate?: Date;
}

/**
 * Query parameters of a raw query string, decoded the lenient way: valid
 * escapes become bytes, bytes that are not UTF-8 become U+FFFD, invalid
 * escapes stay as text. So a hostile query still carries a signature the
 * server can verify, and only the rule under test can refuse it.
 */
function looseQuery(raw: string): Record<string, string> {
  const decode = (s: string) => {
    const bytes: number[] = [];
    for (let i = 0; i < s.length; i++) {
      if (s[i] === "%" && /^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) {
        bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
        i += 2;
      } else bytes.push(...new TextEncoder().encode(s[i] === "+" ? " " : s[i]));
    }
    return new TextDecoder().decode(Uint8Array.from(bytes));
  };
  const out: Record<string, string> = {};
  for (const part of raw.split("&").filter(Boolean)) {
    const i = part.indexOf("=");
    out[decode(i < 0 ? part : part.slice(0, i))] = i < 0 ? "" : decode(part.slice(i + 1));
  }
  return out;
}

function signer(r: Pick<RawRequest, "accessKey" | "secret" | "region">): SignatureV4 {
  return new SignatureV4({
    credentials: { accessKeyId: r.accessKey ?? ACCESS_KEY, secretAccessKey: r.secret ?? SECRET_KEY },
    region: r.region ?? "us-east-1",
    service: "s3",
    sha256: Sha256,
    uriEscapePath: false,
    applyChecksum: false,
  });
}

export async function signHeaders(server: TestServer, r: RawRequest): Promise<Record<string, string>> {
  const headers: Record<string, string> = {
    host: `127.0.0.1:${server.port}`,
    "x-amz-content-sha256": r.payloadHash ?? "UNSIGNED-PAYLOAD",
    ...(r.headers ?? {}),
  };
  const query = r.rawQuery !== undefined ? looseQuery(r.rawQuery) : (r.query ?? {});
  const req = new HttpRequest({ method: r.method, hostname: "127.0.0.1", port: server.port, path: r.path, query, headers });
  const signed = await signer(r).sign(req, { signingDate: r.signingDate });
  return signed.headers as Record<string, string>;
}

export interface Presign extends Pick<RawRequest, "method" | "path" | "query" | "headers" | "accessKey" | "secret" | "region" | "signingDate"> {
  /** Seconds (default 900). */
  expiresIn?: number;
}

/**
 * The query of a presigned URL (X-Amz-* parameters included, not yet
 * encoded), signed by AWS's signer; `headers` other than host are signed too.
 */
export async function presignQuery(server: TestServer, r: Presign): Promise<Record<string, string>> {
  const headers = { host: `127.0.0.1:${server.port}`, ...(r.headers ?? {}) };
  // As @aws-sdk/s3-request-presigner does: the payload is UNSIGNED-PAYLOAD, told to the signer by a header it does not sign.
  const req = new HttpRequest({
    method: r.method, hostname: "127.0.0.1", port: server.port, path: r.path, query: r.query ?? {},
    headers: { ...headers, "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
  });
  const signed = await signer(r).presign(req, {
    expiresIn: r.expiresIn ?? 900, signingDate: r.signingDate,
    unhoistableHeaders: new Set(Object.keys(headers)), unsignableHeaders: new Set(["x-amz-content-sha256"]),
  });
  return signed.query as Record<string, string>;
}

/** A request as it goes on the wire, open to changes after signing. */
export interface Message {
  /** e.g. "GET /music/a.mp3?x=1 HTTP/1.1", without CRLF. */
  line: string;
  /** In order, repeats allowed, names as sent. */
  headers: [string, string][];
  body: Uint8Array;
  /** Send the head's characters U+0000–U+00FF as single bytes (e.g. a raw 0xFF in the path) instead of UTF-8. */
  latin1?: boolean;
}

export function queryString(r: Pick<RawRequest, "query" | "rawQuery">): string {
  if (r.rawQuery !== undefined) return "?" + r.rawQuery;
  return r.query ? "?" + Object.entries(r.query).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&") : "";
}

/** Signs `r` (unless unsigned) and lays it out: Content-Length from the body unless framing is given, `connection: close` last. */
export async function buildMessage(server: TestServer, r: RawRequest): Promise<Message> {
  const body = typeof r.body === "string" ? new TextEncoder().encode(r.body) : (r.body ?? new Uint8Array());
  const headers = r.unsigned ? { host: `127.0.0.1:${server.port}`, ...(r.headers ?? {}) } : await signHeaders(server, r);
  Object.assign(headers, r.addedHeaders ?? {});
  if (!Object.keys(headers).some((h) => h.toLowerCase() === "content-length" || h.toLowerCase() === "transfer-encoding"))
    headers["content-length"] = String(body.length);
  return {
    line: `${r.method} ${r.path}${queryString(r)} HTTP/1.1`,
    headers: [...Object.entries(headers), ["connection", "close"]],
    body,
  };
}

export function serialize(m: Message): Uint8Array {
  const text = m.line + "\r\n" + m.headers.map(([k, v]) => `${k}: ${v}\r\n`).join("") + "\r\n";
  const head = m.latin1 ? Buffer.from(text, "latin1") : new TextEncoder().encode(text);
  return Buffer.concat([head, m.body]);
}

export interface Exchanged {
  /** Every byte the server sent. */
  bytes: Buffer;
  /** The server closed the connection (else the wait timed out). */
  closed: boolean;
}

export interface ExchangeOptions {
  /** Shut our side for writing after the last part (a body shorter than declared, then EOF). */
  halfClose?: boolean;
  /** Give up waiting for the server to close after this long (default 10 s). */
  timeoutMs?: number;
  /** Pause between parts (slow clients). */
  gapMs?: number;
}

/**
 * Writes `parts` to a new connection and collects everything until the
 * server closes it. Write errors are expected (a server may answer early and
 * close while we still write): what counts is what arrived.
 */
export function exchange(port: number, parts: (string | Uint8Array)[], opts: ExchangeOptions = {}): Promise<Exchanged> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve({ bytes: Buffer.concat(chunks), closed });
    };
    const timer = setTimeout(() => finish(false), opts.timeoutMs ?? 10_000);
    const sock = connect(port, "127.0.0.1", async () => {
      for (const [i, part] of parts.entries()) {
        if (i > 0 && opts.gapMs) await Bun.sleep(opts.gapMs);
        if (done || sock.destroyed) return;
        sock.write(part);
      }
      if (opts.halfClose && !sock.destroyed) sock.end();
    });
    sock.on("data", (d: Buffer) => chunks.push(d));
    sock.on("error", () => {});
    sock.on("close", () => finish(true));
  });
}

function dechunk(data: Buffer): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = data.indexOf("\r\n", at);
    if (eol < 0) break;
    const size = parseInt(data.subarray(at, eol).toString("latin1").split(";")[0]!, 16);
    if (!(size > 0)) break;
    out.push(data.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}

/** Consumed length of a chunked body starting at `at` (through the final CRLF), or the rest if incomplete. */
function chunkedLength(data: Buffer, at: number): number {
  let p = at;
  for (;;) {
    const eol = data.indexOf("\r\n", p);
    if (eol < 0) return data.length - at;
    const size = parseInt(data.subarray(p, eol).toString("latin1").split(";")[0]!, 16);
    if (!(size >= 0)) return data.length - at;
    if (size === 0) {
      const end = data.indexOf("\r\n\r\n", eol);
      return (end < 0 ? data.length : end + 4) - at;
    }
    p = eol + 2 + size + 2;
  }
}

/**
 * Splits what a server sent into responses, framed as HTTP/1.1 frames them
 * (Content-Length, chunked, or until close). `methods` tells which answers
 * belong to HEAD requests (no body).
 */
export function parseResponses(data: Buffer, methods: string[] = []): RawResponse[] {
  const out: RawResponse[] = [];
  let at = 0;
  while (at < data.length) {
    const end = data.indexOf("\r\n\r\n", at);
    const headEnd = end < 0 ? data.length : end;
    const head = data.subarray(at, headEnd).toString("latin1");
    const [statusLine = "", ...lines] = head.split("\r\n");
    const headers: Record<string, string> = {};
    for (const l of lines) {
      const i = l.indexOf(":");
      if (i > 0) headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
    }
    const status = Number(statusLine.split(" ")[1]);
    const start = Math.min(headEnd + 4, data.length);
    let length: number;
    let body: Buffer;
    if (methods[out.length] === "HEAD" || status === 204 || status === 304 || (status >= 100 && status < 200)) {
      length = 0;
      body = Buffer.alloc(0);
    } else if (/chunked/i.test(headers["transfer-encoding"] ?? "")) {
      length = chunkedLength(data, start);
      body = dechunk(data.subarray(start, start + length));
    } else if (headers["content-length"] !== undefined && /^\d+$/.test(headers["content-length"])) {
      length = Math.min(Number(headers["content-length"]), data.length - start);
      body = data.subarray(start, start + length);
    } else {
      length = data.length - start;
      body = data.subarray(start);
    }
    out.push({ status, headers, head, body: body.toString("utf8"), bytes: new Uint8Array(body) });
    at = start + length;
  }
  return out;
}

/**
 * Sends one request and returns the first answer (status NaN when none came).
 * A server that answers early and closes while the body is still being
 * written is fine: the answer that arrived is returned.
 */
export async function rawRequest(server: TestServer, r: RawRequest): Promise<RawResponse> {
  const { bytes } = await exchange(server.port, [serialize(await buildMessage(server, r))]);
  return parseResponses(bytes, [r.method])[0] ?? { status: NaN, headers: {}, body: "", bytes: new Uint8Array(), head: "" };
}

/** The <Code> of an S3 error document. */
export function errorCode(body: string): string | undefined {
  return /<Code>([^<]*)<\/Code>/.exec(body)?.[1];
}
