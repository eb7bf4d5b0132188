/**
 * Like rawRequest, for bodies the server refuses before reading them all:
 * it answers early and closes, so writing the rest fails with EPIPE or
 * ECONNRESET. What counts is the response that arrived before that.
 */
import { connect } from "node:net";
import { signHeaders, type RawRequest, type RawResponse } from "./raw.ts";
import type { TestServer } from "./server.ts";

export async function rawRequestEarlyClose(server: TestServer, r: RawRequest): Promise<RawResponse> {
  const body = typeof r.body === "string" ? new TextEncoder().encode(r.body) : (r.body ?? new Uint8Array());
  const headers = await signHeaders(server, r);
  if (!Object.keys(headers).some((h) => ["content-length", "transfer-encoding"].includes(h.toLowerCase())))
    headers["content-length"] = String(body.length);
  const qs = r.query ? "?" + Object.entries(r.query).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&") : "";
  const head = `${r.method} ${r.path}${qs} HTTP/1.1\r\n` + Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join("\r\n") + "\r\nconnection: close\r\n\r\n";
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const sock = connect(server.port, "127.0.0.1", () => {
      sock.write(head);
      sock.write(body);
    });
    sock.on("data", (d: Buffer) => chunks.push(d));
    // A write refused after the early answer; "close" follows and reports what arrived.
    sock.on("error", () => {});
    sock.on("close", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const split = text.indexOf("\r\n\r\n");
      const [statusLine = "", ...lines] = text.slice(0, split).split("\r\n");
      const hdrs: Record<string, string> = {};
      for (const l of lines) {
        const i = l.indexOf(":");
        if (i > 0) hdrs[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
      }
      resolve({ status: Number(statusLine.split(" ")[1]), headers: hdrs, body: text.slice(split + 4) });
    });
  });
}
