/** s3cmd: the binary and its ~/.s3cfg. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { MiB } from "../bytes.ts";
import { ACCESS_KEY, SECRET_KEY } from "../server.ts";
import { requireTool } from "./process.ts";

/** s3cmd's default multipart_chunk_size_mb = 15 (multipart above it). */
export const S3CMD_PARTS = { partSize: 15 * MiB, threshold: 15 * MiB + 1 };

export const s3cmdBin = (): string => requireTool("s3cmd", ["s3cmd"], "Install it with `apt-get install s3cmd` (.ci/run does).");

/**
 * ~/.s3cfg in a throwaway HOME that only says where the server is (the
 * recording proxy's port), plain HTTP, and the test credentials; `extra`
 * lines (e.g. "signature_v2 = False") follow. Everything else stays
 * s3cmd's default.
 */
export function writeS3cmdConfig(home: string, endpoint: { port: number }, extra: string[] = []): void {
  writeFileSync(
    join(home, ".s3cfg"),
    [
      "[default]",
      `access_key = ${ACCESS_KEY}`,
      `secret_key = ${SECRET_KEY}`,
      `host_base = 127.0.0.1:${endpoint.port}`,
      `host_bucket = 127.0.0.1:${endpoint.port}`,
      "use_https = False",
      ...extra,
      "",
    ].join("\n"),
  );
}
