/**
 * The image's Python awscli 1.45 (botocore 1.43): new default checksums —
 * every PUT and part carries a CRC32 (x-amz-checksum-crc32; multipart uploads
 * are created with a COMPOSITE CRC32). Over plain HTTP botocore signs the
 * payload and sends the checksum as a header rather than as an aws-chunked
 * trailer (that is HTTPS only). No environment workarounds.
 */
import { expect } from "bun:test";
import { pythonAws } from "../helpers/clients/awscli.ts";
import { awscliSuite } from "./awscli-suite.ts";

awscliSuite({
  label: "awscli-python",
  bin: pythonAws,
  checkVersion(line) {
    // 1.37+ (botocore 1.36+) computes request checksums by default.
    const m = line.match(/^aws-cli\/1\.(\d+)\./);
    expect(m, line).not.toBeNull();
    expect(Number(m![1]), line).toBeGreaterThanOrEqual(37);
  },
  checkPutHeaders(h) {
    // Default CRC32 checksum. Over plain HTTP botocore signs the payload and sends the
    // checksum as a header; it switches to STREAMING-UNSIGNED-PAYLOAD-TRAILER only over HTTPS.
    expect(h["x-amz-content-sha256"]).toMatch(/^[0-9a-f]{64}$/);
    expect(h["x-amz-sdk-checksum-algorithm"]).toBe("CRC32");
    expect(h["x-amz-checksum-crc32"]).toMatch(/^[A-Za-z0-9+/]{6}==$/);
  },
});
