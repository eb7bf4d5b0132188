/** Bun.serve around the app, with limits sized for music uploads. */
import type { App } from "./app.ts";
import { MAX_PART_SIZE } from "../s3/limits.ts";

export interface RunningServer {
  port: number;
  url: string;
  /** Stops accepting connections and resolves when in-flight requests are done. */
  stop(): Promise<void>;
}

/** `tls`: PEM file paths, already checked by config/tls.ts. */
export function listen(app: App, hostname: string, port: number, tls: { cert: string; key: string } | null = null): RunningServer {
  const server = Bun.serve({
    hostname,
    port,
    // Same port, TLS instead of plain HTTP (SPEC §5); files are read once, at startup.
    tls: tls ? { cert: Bun.file(tls.cert), key: Bun.file(tls.key) } : undefined,
    fetch: (req, server) => app.fetch(req, server),
    // Bun caps bodies at 128 MB by default. Our caps (2 GiB PUT, 5 GiB part,
    // plus aws-chunked framing) are enforced while streaming, by the one
    // verified body stream (s3/verified-body.ts).
    maxRequestBodySize: MAX_PART_SIZE + 64 * 1024 ** 2,
    // Slow links (a Pi on Wi-Fi) can pause for a while mid-upload.
    idleTimeout: 120,
  });
  return {
    port: server.port!,
    url: `${tls ? "https" : "http"}://${hostname.includes(":") ? `[${hostname}]` : hostname}:${server.port}`,
    stop: () => server.stop(false),
  };
}
