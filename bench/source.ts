/** The file every transfer bench uploads: one pseudo-random MiB repeated (incompressible enough), fsynced, with its SHA-256. */
import { closeSync, fsyncSync, openSync, writeSync } from "node:fs";
import { MiB } from "./report.ts";

export interface Source {
  path: string;
  sha256: string;
  /** The MiB the file repeats (multipart parts and aws-chunked bodies are built from it). */
  block: Uint8Array;
  size: number;
}

export function writeSource(path: string, sizeMiB: number, block = crypto.getRandomValues(new Uint8Array(MiB))): Source {
  const fd = openSync(path, "w");
  const sha = new Bun.CryptoHasher("sha256");
  for (let i = 0; i < sizeMiB; i++) {
    writeSync(fd, block);
    sha.update(block);
  }
  fsyncSync(fd); // its writeback must not compete with the timed uploads
  closeSync(fd);
  return { path, sha256: sha.digest("hex"), block, size: sizeMiB * MiB };
}
