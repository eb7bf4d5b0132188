/** The machine's own limits, measured in the same run: hash rates, disk writes, sendfile. */
import { $ } from "bun";
import { closeSync, fsyncSync, openSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { percentile } from "./library-latency.ts";
import { cpuSecondsOf } from "./servers.ts";

const MiB = 1024 ** 2;

/**
 * Bytes per CPU-second one core hashes: timed by this process's CPU time,
 * not the wall clock, so other work on a shared machine does not lower it.
 */
export function hashRate(algorithm: "md5" | "sha256", totalMiB = 512): number {
  const chunk = new Uint8Array(MiB).fill(0x5a);
  const h = new Bun.CryptoHasher(algorithm);
  const before = process.cpuUsage();
  for (let i = 0; i < totalMiB; i++) h.update(chunk);
  h.digest();
  const used = process.cpuUsage(before);
  return (totalMiB * MiB) / ((used.user + used.system) / 1e6);
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

/**
 * What serving a file costs on this machine with nothing of ours in the way:
 * a bare Bun.serve answering with Bun.file (sendfile), fetched whole by curl
 * over loopback, median of three. On loopback the kernel's TCP work for both
 * ends is charged largely to the sending process, so this is the floor our
 * GET can be held to here.
 */
export async function sendfileCost(file: string, bytes: number): Promise<{ cpuPerGiB: number; bytesPerSecond: number }> {
  const script = `const s = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response(Bun.file(${JSON.stringify(file)})) }); console.log(s.port);`;
  const proc = Bun.spawn([process.execPath, "-e", script], { stdout: "pipe", stderr: "inherit" });
  try {
    const reader = proc.stdout.getReader();
    const port = Number(new TextDecoder().decode((await reader.read()).value).trim());
    const runs: { cpuPerGiB: number; bytesPerSecond: number }[] = [];
    for (let i = 0; i < 3; i++) {
      const before = cpuSecondsOf(proc.pid);
      const seconds = Number(await $`curl -s -o /dev/null -w "%{time_total}" http://127.0.0.1:${port}/`.text());
      runs.push({ cpuPerGiB: (cpuSecondsOf(proc.pid) - before) / (bytes / 1024 ** 3), bytesPerSecond: bytes / seconds });
    }
    return { cpuPerGiB: percentile(runs.map((r) => r.cpuPerGiB), 50), bytesPerSecond: percentile(runs.map((r) => r.bytesPerSecond), 50) };
  } finally {
    proc.kill();
    await proc.exited;
  }
}
