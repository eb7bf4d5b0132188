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

/** A throwaway Bun.serve in its own process, given its fetch handler as source text. */
async function withBareServer<T>(fetchSource: string, run: (port: number, pid: number) => Promise<T>): Promise<T> {
  const script = `const s = Bun.serve({ port: 0, hostname: "127.0.0.1", maxRequestBodySize: 2 ** 40, fetch: ${fetchSource} }); console.log(s.port);`;
  const proc = Bun.spawn([process.execPath, "-e", script], { stdout: "pipe", stderr: "inherit" });
  try {
    const port = Number(new TextDecoder().decode((await proc.stdout.getReader().read()).value).trim());
    return await run(port, proc.pid);
  } finally {
    proc.kill();
    await proc.exited;
  }
}

export interface Cost {
  cpuPerGiB: number;
  bytesPerSecond: number;
}

/** Three runs of a curl transfer against a bare server: the medians of its CPU per GiB and rate. */
async function medianOfThree(pid: number, bytes: number, transfer: () => Promise<string>): Promise<Cost> {
  const runs: Cost[] = [];
  for (let i = 0; i < 3; i++) {
    const before = cpuSecondsOf(pid);
    const seconds = Number(await transfer());
    runs.push({ cpuPerGiB: (cpuSecondsOf(pid) - before) / (bytes / 1024 ** 3), bytesPerSecond: bytes / seconds });
  }
  return { cpuPerGiB: percentile(runs.map((r) => r.cpuPerGiB), 50), bytesPerSecond: percentile(runs.map((r) => r.bytesPerSecond), 50) };
}

/**
 * What serving a file costs on this machine with nothing of ours in the way:
 * a bare Bun.serve answering with Bun.file (sendfile), fetched whole by curl
 * over loopback. On loopback the kernel's TCP work for both ends is charged
 * largely to the sending process, so this is the floor our GET can be held
 * to here.
 */
export function sendfileCost(file: string, bytes: number): Promise<Cost> {
  return withBareServer(`() => new Response(Bun.file(${JSON.stringify(file)}))`, (port, pid) =>
    medianOfThree(pid, bytes, () => $`curl -s -o /dev/null -w "%{time_total}" http://127.0.0.1:${port}/`.text()),
  );
}

/**
 * The floor under every PUT path before any hash: a bare Bun.serve that
 * reads the request body and writes it to a file in 1 MiB-or-smaller
 * writes, then fsyncs — the socket reads, Bun's body stream and the page
 * cache copy that no upload can avoid.
 */
export function receiveCost(dir: string, file: string, bytes: number): Promise<Cost> {
  const target = JSON.stringify(join(dir, "receive-probe.bin"));
  const handler = `async (req) => {
    const fs = require("node:fs");
    const fd = fs.openSync(${target}, "w");
    for await (const chunk of req.body) fs.writeSync(fd, chunk);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    return new Response("ok");
  }`;
  return withBareServer(handler, async (port, pid) => {
    const cost = await medianOfThree(pid, bytes, () =>
      $`curl -s -o /dev/null -H Expect: -T ${file} -w "%{time_total}" http://127.0.0.1:${port}/probe`.text(),
    );
    rmSync(join(dir, "receive-probe.bin"), { force: true });
    return cost;
  });
}
