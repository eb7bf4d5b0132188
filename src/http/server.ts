/** Bun.serve around the app, with limits sized for music uploads. */
import type { Hono } from "hono";
import { MAX_PART_SIZE } from "../s3/limits.ts";

export interface RunningServer {
  port: number;
  url: string;
  /** Stops accepting connections and resolves when in-flight requests are done. */
  stop(): Promise<void>;
}

export function listen(app: Hono, hostname: string, port: number): RunningServer {
  const server = Bun.serve({
    hostname,
    port,
    fetch: app.fetch,
    // Bun caps bodies at 128 MB by default. Our caps (2 GiB PUT, 5 GiB part,
    // plus aws-chunked framing) are enforced while streaming, by the one
    // verified body stream (s3/verified-body.ts).
    maxRequestBodySize: MAX_PART_SIZE + 64 * 1024 ** 2,
    // Slow links (a Pi on Wi-Fi) can pause for a while mid-upload.
    idleTimeout: 120,
  });
  return {
    port: server.port!,
    url: `http://${hostname.includes(":") ? `[${hostname}]` : hostname}:${server.port}`,
    stop: () => server.stop(false),
  };
}
