/**
 * A multipart upload the way the SDK's lib-storage sends one (COMPOSITE
 * CRC32, so no full-object checksum needs the bytes), completed, checked on
 * disk, and checked in the server's debug line: parts 1..n lie in their
 * slots of the upload's data file, so the Complete moves none of their
 * bytes; part 2, uploaded again, sits in a file of its own and is copied
 * into its slot by copy_file_range with explicit offsets (so is the short
 * last part when it arrived before any full one). Used against
 * built executables, where bun:ffi has to find libc.so.6 on its own.
 */
import { CompleteMultipartUploadCommand, UploadPartCommand } from "@aws-sdk/client-s3";
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
  const s3 = sdkClient(server);
  const part = 5 * MiB;
  const body = bytes(11 * MiB + 3, 7);
  let uploadId = "";
  const upload = new Upload({ client: s3, params: { Bucket: "music", Key: key, Body: body }, partSize: part, queueSize: 3 });
  // Just before lib-storage completes, part 2 is sent again (same bytes): it goes to a file of its own.
  const send = s3.send.bind(s3);
  s3.send = (async (command: { input: { UploadId?: string; MultipartUpload?: { Parts?: { PartNumber?: number; ETag?: string }[] } } }, ...rest: unknown[]) => {
    if (command instanceof CompleteMultipartUploadCommand) {
      uploadId = command.input.UploadId!;
      const again = await send(new UploadPartCommand({ Bucket: "music", Key: key, UploadId: uploadId, PartNumber: 2, Body: body.subarray(part, 2 * part) }));
      expect(again.ETag).toBe(command.input.MultipartUpload!.Parts!.find((p) => p.PartNumber === 2)!.ETag);
    }
    return (send as (...a: unknown[]) => unknown)(command, ...rest);
  }) as typeof s3.send;
  await upload.done();
  expect(uploadId).not.toBe("");
  expect(md5Hex(readFileSync(join(server.musicDir, key)))).toBe(md5Hex(body));
  await waitFor(() => server.stderr().includes("multipart upload assembled"));
  const line = server.stderr().split("\n").find((l) => l.includes("multipart upload assembled"));
  const [, bytesN, inPlace, kernel] = /bytes=(\d+) in_place=(\d+) by_copy_file_range=(\d+)/.exec(line ?? "")!.map(Number);
  expect(bytesN).toBe(body.length);
  expect(inPlace! + kernel!).toBe(body.length);
  // Part 2 always; the small last part too when it arrived before a full part fixed the slot size (slots.ts).
  expect([part, part + (body.length - 2 * part)]).toContain(kernel!);
}
