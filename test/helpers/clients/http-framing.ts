/**
 * Finds where each HTTP/1.1 request starts in the bytes a client sends over
 * one connection (RFC 9112 §6: a body is framed by Transfer-Encoding: chunked
 * or by Content-Length, else there is none). Only reads; the bytes go on
 * unchanged. Used by the recording proxy to see which requests a client made.
 */

export interface RequestHead {
  method: string;
  /** The request target as sent: path and query, still percent-encoded. */
  target: string;
  /** Lower-cased header name → value (the last one wins). */
  headers: Record<string, string>;
}

const CRLF = Buffer.from("\r\n");
const HEAD_END = Buffer.from("\r\n\r\n");

type State =
  | { at: "head" }
  | { at: "length"; left: number }
  | { at: "chunk-size" }
  | { at: "chunk-data"; left: number }
  | { at: "trailers" };

/** Feed it a connection's client-to-server bytes in order; it calls `onRequest` once per request head. */
export function requestSplitter(onRequest: (head: RequestHead) => void): (chunk: Buffer) => void {
  let buf: Buffer = Buffer.alloc(0);
  let state: State = { at: "head" };

  const parseHead = (text: string): RequestHead => {
    const [line = "", ...rest] = text.split("\r\n");
    const [method = "", target = ""] = line.split(" ");
    const headers: Record<string, string> = {};
    for (const h of rest) {
      const colon = h.indexOf(":");
      if (colon > 0) headers[h.slice(0, colon).trim().toLowerCase()] = h.slice(colon + 1).trim();
    }
    return { method, target, headers };
  };

  /** One step of the state machine; false when it needs more bytes. */
  const step = (): boolean => {
    switch (state.at) {
      case "head": {
        const end = buf.indexOf(HEAD_END);
        if (end < 0) return false;
        const head = parseHead(buf.subarray(0, end).toString("latin1"));
        buf = buf.subarray(end + HEAD_END.length);
        onRequest(head);
        if (/\bchunked\b/i.test(head.headers["transfer-encoding"] ?? "")) state = { at: "chunk-size" };
        else state = { at: "length", left: Number(head.headers["content-length"] ?? 0) };
        return true;
      }
      case "length": {
        const take = Math.min(state.left, buf.length);
        buf = buf.subarray(take);
        state = state.left - take === 0 ? { at: "head" } : { at: "length", left: state.left - take };
        return take > 0 || state.at === "head";
      }
      case "chunk-size": {
        const end = buf.indexOf(CRLF);
        if (end < 0) return false;
        const size = parseInt(buf.subarray(0, end).toString("latin1").split(";")[0]!, 16);
        buf = buf.subarray(end + CRLF.length);
        state = size === 0 ? { at: "trailers" } : { at: "chunk-data", left: size + CRLF.length };
        return true;
      }
      case "chunk-data": {
        const take = Math.min(state.left, buf.length);
        buf = buf.subarray(take);
        state = state.left - take === 0 ? { at: "chunk-size" } : { at: "chunk-data", left: state.left - take };
        return take > 0;
      }
      case "trailers": {
        const end = buf.indexOf(CRLF);
        if (end < 0) return false;
        buf = buf.subarray(end + CRLF.length);
        if (end === 0) state = { at: "head" };
        return true;
      }
    }
  };

  return (chunk) => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    while (buf.length > 0 || state.at === "length") {
      if (!step()) break;
      if (state.at === "length" && state.left === 0) state = { at: "head" };
    }
  };
}
