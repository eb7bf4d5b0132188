/**
 * A multipart upload the way the SDK's lib-storage sends one (COMPOSITE
 * CRC32, so no full-object checksum needs the bytes), completed, checked on
 * disk, and checked to have been assembled by copy_file_range: the server's
 * debug line says how many bytes the kernel moved. Used against built
 * executables, where bun:ffi has to find libc.so.6 on its own.
 */
import { Upload } from "@aws-sdk/lib-storage";
import { expect } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { bytes, md5Hex, MiB } from "./bytes.ts";
import { sdkClient } from "./clients.ts";
import { type TestServer, waitFor } from "./server.ts";

/** Start the server with this env so the assembly's debug line is written. */
export const DEBUG_LOG = { ROCKBOXD_S3_LOG_LEVEL: "debug" };

export async function expectCompleteByKernel(server: TestServer, key = "pi/side a+b.flac"): Promise<void> {
  const body = bytes(11 * MiB + 3, 7);
  await new Upload({ client: sdkClient(server), params: { Bucket: "music", Key: key, Body: body }, partSize: 5 * MiB, queueSize: 3 }).done();
  expect(md5Hex(readFileSync(join(server.musicDir, key)))).toBe(md5Hex(body));
  await waitFor(() => server.stderr().includes("multipart upload assembled"));
  const line = server.stderr().split("\n").find((l) => l.includes("multipart upload assembled"));
  expect(line).toContain(`bytes=${body.length} by_copy_file_range=${body.length}`);
}
