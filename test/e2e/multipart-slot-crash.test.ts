/**
 * A SIGKILL while a part streams into its slot of the upload's data file
 * (src/store/multipart/slots.ts): nothing appears at the key, the restarted
 * server lists no such part, the retried part takes the same slot, and the
 * Complete still moves no byte (the data file becomes the object).
 */
import { expect, test } from "bun:test";
import { CompleteMultipartUploadCommand, CreateMultipartUploadCommand, ListPartsCommand, UploadPartCommand } from "@aws-sdk/client-s3";
import { existsSync, readFileSync, statSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { bytes, md5Hex, MiB } from "../helpers/bytes.ts";
import { sdkClient } from "../helpers/clients.ts";
import { queryString, signHeaders } from "../helpers/raw.ts";
import { startServer, waitFor } from "../helpers/server.ts";
import { leftovers } from "../helpers/tree.ts";

const KEY = "Albums/Slots/big.flac";
const PART = 16 * MiB;

test("SIGKILL halfway through a part in its slot, restart, retry the part: Complete in place", async () => {
  const first = await startServer();
  const { home, musicDir } = first;
  const created = await sdkClient(first).send(new CreateMultipartUploadCommand({ Bucket: "music", Key: KEY }));
  const uploadId = created.UploadId!;
  const dataFile = join(musicDir, ".rockboxd-s3", "multipart", uploadId, "slots.dat");

  const path = `/music/${KEY}`;
  const query = { partNumber: "1", uploadId };
  const headers = await signHeaders(first, { method: "PUT", path, query, headers: { "content-length": String(PART) } });
  const head = `PUT ${path}${queryString({ query })} HTTP/1.1\r\n` + Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join("\r\n") + "\r\n\r\n";
  const sock = connect(first.port, "127.0.0.1");
  sock.on("error", () => {});
  await new Promise<void>((r) => sock.once("connect", () => r()));
  sock.write(head);
  sock.write(new Uint8Array(PART / 2).fill(7));
  await waitFor(() => existsSync(dataFile) && statSync(dataFile).size >= PART / 4, 20_000, "half the part in its slot");
  first.proc.kill("SIGKILL");
  await first.proc.exited;
  sock.destroy();
  expect(existsSync(join(musicDir, KEY))).toBe(false);

  await using second = await startServer({ home });
  const s3 = sdkClient(second);
  const listedBefore = await s3.send(new ListPartsCommand({ Bucket: "music", Key: KEY, UploadId: uploadId }));
  expect(listedBefore.Parts ?? []).toEqual([]);

  const p1 = bytes(PART, 1);
  const p2 = bytes(3 * MiB + 5, 2);
  const e1 = await s3.send(new UploadPartCommand({ Bucket: "music", Key: KEY, UploadId: uploadId, PartNumber: 1, Body: p1 }));
  const e2 = await s3.send(new UploadPartCommand({ Bucket: "music", Key: KEY, UploadId: uploadId, PartNumber: 2, Body: p2 }));
  const ino = statSync(dataFile).ino;
  await s3.send(new CompleteMultipartUploadCommand({
    Bucket: "music", Key: KEY, UploadId: uploadId,
    MultipartUpload: { Parts: [{ PartNumber: 1, ETag: e1.ETag }, { PartNumber: 2, ETag: e2.ETag }] },
  }));
  const object = join(musicDir, KEY);
  expect(statSync(object).ino).toBe(ino);
  expect(md5Hex(readFileSync(object))).toBe(md5Hex(Buffer.concat([p1, p2])));
  expect(leftovers(musicDir)).toEqual([]);
  expect(existsSync(join(musicDir, ".rockboxd-s3", "multipart", uploadId))).toBe(false);
});
