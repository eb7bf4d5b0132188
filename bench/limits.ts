/** The machine's own limits, measured in the same run: hash rates and disk writes. */
import { closeSync, fsyncSync, openSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";

const MiB = 1024 ** 2;

export function hashRate(algorithm: "md5" | "sha256", totalMiB = 512): number {
  const chunk = new Uint8Array(MiB).fill(0x5a);
  const h = new Bun.CryptoHasher(algorithm);
  const t = performance.now();
  for (let i = 0; i < totalMiB; i++) h.update(chunk);
  h.digest();
  return (totalMiB * MiB) / ((performance.now() - t) / 1000);
}

/** Sequential write of `totalMiB` then fsync, as an upload does. */
export function diskWriteRate(dir: string, totalMiB: number): number {
  const path = join(dir, "disk-probe.bin");
  const chunk = new Uint8Array(MiB).fill(1);
  const t = performance.now();
  const fd = openSync(path, "w");
  for (let i = 0; i < totalMiB; i++) writeSync(fd, chunk);
  fsyncSync(fd);
  closeSync(fd);
  const rate = (totalMiB * MiB) / ((performance.now() - t) / 1000);
  rmSync(path);
  return rate;
}
