/**
 * A multipart upload as awscli sends one: 8 MiB parts, 10 in flight, each
 * with a signed SHA-256 payload and an x-amz-checksum-crc32 header, in an
 * upload created with a (COMPOSITE) CRC32 — what botocore 1.36+ does over
 * plain HTTP (see test/clients/awscli-python.test.ts). Measures the server's
 * CPU for the whole upload and for the Complete step alone.
 */
import { $ } from "bun";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { checksumBase64 } from "../src/s3/checksum.ts";
import type { BenchServer } from "./servers.ts";
import { cpuSecondsOf } from "./servers.ts";
import { signedRequest } from "./sign.ts";

const PART = 8 * 1024 ** 2;
const PARALLEL = 10;

export interface MultipartFigures {
  status: number;
  seconds: number;
  /** Server CPU-seconds per GiB for Create + every part + Complete. */
  cpuPerGiB: number;
  /** Server CPU-seconds per GiB for the Complete request alone (the assembly). */
  completeCpuPerGiB: number;
}

const sha256Hex = (b: Uint8Array | string) => new Bun.CryptoHasher("sha256").update(b).digest("hex");

async function request(server: BenchServer, method: string, key: string, query: Record<string, string>, body = "", extra: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const { url, headers } = await signedRequest(server, method, `/music/${key}`, sha256Hex(body), extra, query);
  const res = await fetch(url, { method, headers, body: body || undefined });
  return { status: res.status, text: await res.text() };
}

/**
 * Uploads `size` bytes of `block` repeated (parts share one file: the server
 * cannot tell) and completes. The CPU figures are per GiB of `size`.
 */
export async function multipartUpload(server: BenchServer, root: string, key: string, block: Uint8Array, size: number): Promise<MultipartFigures> {
  const partBytes = new Uint8Array(PART);
  for (let off = 0; off < PART; off += block.length) partBytes.set(block.subarray(0, PART - off), off);
  const count = Math.ceil(size / PART);
  const lastBytes = partBytes.subarray(0, size - (count - 1) * PART);
  const files = [partBytes, lastBytes].map((bytes, i) => {
    const path = join(root, `multipart-${server.name}-${i}.part`);
    writeFileSync(path, bytes);
    return { path, sha256: sha256Hex(bytes), crc32: checksumBase64("CRC32", bytes) };
  });
  try {
    return await upload(server, key, files, count, size / 1024 ** 3);
  } finally {
    for (const file of files) rmSync(file.path, { force: true });
  }
}

type PartFile = { path: string; sha256: string; crc32: string };

async function upload(server: BenchServer, key: string, files: PartFile[], count: number, perGiB: number): Promise<MultipartFigures> {
  const cpuAtStart = cpuSecondsOf(server.pid);
  const started = performance.now();

  const created = await request(server, "POST", key, { uploads: "" }, "", { "x-amz-checksum-algorithm": "CRC32" });
  const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(created.text)?.[1];
  if (created.status !== 200 || !uploadId) return { status: created.status, seconds: 0, cpuPerGiB: NaN, completeCpuPerGiB: NaN };

  const etags: string[] = [];
  let failed = 0;
  let next = 1;
  const worker = async () => {
    for (let n = next++; n <= count; n = next++) {
      const file = files[n === count ? 1 : 0]!;
      const { url, headers } = await signedRequest(server, "PUT", `/music/${key}`, file.sha256, { "x-amz-checksum-crc32": file.crc32 }, { partNumber: String(n), uploadId });
      const args = Object.entries(headers).flatMap(([k, v]) => ["-H", `${k}: ${v}`]);
      const out = await $`curl -s -o /dev/null -D - -H Expect: -T ${file.path} ${args} ${url}`.nothrow().text();
      const etag = /^etag:\s*(\S+)/im.exec(out)?.[1];
      if (!out.startsWith("HTTP/1.1 200") || !etag) failed = Number(out.slice(9, 12)) || 599;
      else etags[n - 1] = etag;
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  if (failed) return { status: failed, seconds: 0, cpuPerGiB: NaN, completeCpuPerGiB: NaN };

  const list = etags.map((etag, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${etag}</ETag><ChecksumCRC32>${files[i === count - 1 ? 1 : 0]!.crc32}</ChecksumCRC32></Part>`);
  const cpuBeforeComplete = cpuSecondsOf(server.pid);
  const done = await request(server, "POST", key, { uploadId }, `<CompleteMultipartUpload>${list.join("")}</CompleteMultipartUpload>`);
  const cpuAtEnd = cpuSecondsOf(server.pid);
  const ok = done.status === 200 && done.text.includes("<CompleteMultipartUploadResult");
  return {
    status: ok ? 200 : done.status === 200 ? 500 : done.status,
    seconds: (performance.now() - started) / 1000,
    cpuPerGiB: (cpuAtEnd - cpuAtStart) / perGiB,
    completeCpuPerGiB: (cpuAtEnd - cpuBeforeComplete) / perGiB,
  };
}
