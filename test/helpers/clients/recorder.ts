/**
 * Which requests a client sent, seen on the wire: a TCP proxy in front of
 * the server that passes every byte through unchanged and reads the request
 * heads as they go by. Clients are pointed at the proxy, so the Host they
 * sign is the proxy's and reaches the server as it was signed — signatures
 * stay valid without any rewriting. Over HTTPS the proxy ends TLS with the
 * test CA's certificate and opens its own TLS connection to the server.
 *
 * Why not the server's debug log: a test would then depend on the log's
 * wording, and the log reaches us through a pipe after the response, so each
 * read needed a marker request to know it was complete. A request is on the
 * proxy's list before the server has seen all of it, so when the client is
 * done the list is complete.
 */
import { readFileSync } from "node:fs";
import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";
import { connect as tlsConnect, createServer as createTlsServer } from "node:tls";
import { requestSplitter } from "./http-framing.ts";
import { s3Operation } from "./s3-operation.ts";
import type { TestServer } from "../server.ts";
import type { TestCa } from "../test-ca.ts";

/** One request as the client sent it. */
export interface SentRequest {
  /** The S3 operation it names (src-independent reading, see s3-operation.ts). */
  op: string;
  method: string;
  /** Path and query, percent-encoded as sent. */
  target: string;
}

export interface Recorder extends AsyncDisposable {
  /** Where clients go instead of the server (same scheme). */
  url: string;
  port: number;
  /** Every request so far, in the order their heads arrived. */
  requests: SentRequest[];
}

/** A recording proxy to `server` on a free port; pass `ca` when the server speaks HTTPS. */
export async function recordingProxy(server: Pick<TestServer, "port" | "url">, ca?: TestCa): Promise<Recorder> {
  const requests: SentRequest[] = [];
  const sockets = new Set<Socket>();
  const onClient = (client: Socket) => {
    const upstream = ca
      ? tlsConnect({ host: "127.0.0.1", port: server.port, ca: readFileSync(ca.caPem), servername: "localhost" })
      : tcpConnect({ host: "127.0.0.1", port: server.port });
    for (const s of [client, upstream]) sockets.add(s);
    const record = requestSplitter((head) => requests.push({ op: s3Operation(head), method: head.method, target: head.target }));
    client.on("data", (chunk: Buffer) => record(chunk));
    client.pipe(upstream);
    upstream.pipe(client);
    const close = () => {
      sockets.delete(client);
      sockets.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    client.on("error", close).on("close", close);
    upstream.on("error", close).on("close", close);
  };
  const listener: Server = ca
    ? createTlsServer({ cert: readFileSync(ca.certPem), key: readFileSync(ca.keyPem) }, onClient)
    : createServer(onClient);
  await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
  const port = (listener.address() as { port: number }).port;
  return {
    url: `${ca ? "https" : "http"}://127.0.0.1:${port}`,
    port,
    requests,
    async [Symbol.asyncDispose]() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => listener.close(resolve));
    },
  };
}

/** Runs `fn` and returns its value with every request sent through `recorder` meanwhile. */
export async function traced<T>(recorder: Recorder, fn: () => Promise<T>): Promise<{ value: T; requests: SentRequest[] }> {
  const mark = recorder.requests.length;
  const value = await fn();
  return { value, requests: recorder.requests.slice(mark) };
}

/** "PutObject×3, CreateMultipartUpload×1, ..." */
export function summarizeOps(reqs: SentRequest[]): string {
  return Object.entries(opCounts(reqs)).map(([k, v]) => `${k}×${v}`).join(", ");
}

export function opCounts(reqs: SentRequest[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const q of reqs) out[q.op] = (out[q.op] ?? 0) + 1;
  return out;
}

/** The requests that change the bucket: what a sync that found nothing to do must not send. */
export const writesIn = (reqs: SentRequest[]): SentRequest[] => reqs.filter((q) => /Put|Multipart|UploadPart|Copy|Delete/.test(q.op));
