/**
 * SPEC §8 "Parallel hashing": a 1 GiB signed and UNSIGNED PUT and a signed
 * aws-chunked PUT with the hashes inline (ROCKBOXD_S3_HASH_THREADS=0) and on
 * workers, the server pinned to 1 and to 2 cores with taskset (cgroup cpu.max
 * is not writable here), against the physical bound measured in the same
 * run: inline, the hashes' summed cost 1/(1/MD5+1/SHA-256); in parallel, the
 * slower single hash. `bun bench/parallel-hash.ts` runs it alone
 * (BENCH_MIB sets the size, BENCH_CORES e.g. "1,2" the pinnings).
 */
import { $ } from "bun";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { prepareChunkedPut } from "./chunked-body.ts";
import { hashRate } from "./limits.ts";
import { MiB, mbps, printTable, type Row } from "./report.ts";
import { cpuSecondsOf, memoryOf, type BenchServer, startRockbox } from "./servers.ts";
import { writeSource } from "./source.ts";
import { freePages, put, remove, type Timing } from "./transfer.ts";

interface Run {
  mode: "inline" | "parallel";
  cores: number;
  kind: "signed" | "unsigned" | "chunked";
  timing: Timing;
  cpuPerGiB: number;
  peakRss: number;
}

/** Starts the server with the hash threads set, pinned (all its threads, and those it starts later) to the first `cores` CPUs. */
async function server(home: string, mode: Run["mode"], cores: number): Promise<BenchServer> {
  const s = await startRockbox(home, { env: { ROCKBOXD_S3_HASH_THREADS: mode === "inline" ? "0" : "2" } });
  await $`taskset -a -c -p 0-${cores - 1} ${s.pid}`.quiet();
  return s;
}

export async function parallelHashBench(root: string, source: string, sourceSha256: string, block: Uint8Array, size: number, coreCounts = [1, 2]): Promise<Row[]> {
  const md5 = hashRate("md5");
  const sha256 = hashRate("sha256");
  const runs: Run[] = [];
  for (const cores of coreCounts)
    for (const mode of ["inline", "parallel"] as const) {
      const home = join(root, `ph-${mode}-${cores}`);
      const s = await server(home, mode, cores);
      const chunked = await prepareChunkedPut(s, "bench/chunked.flac", join(root, "chunked.body"), block, size);
      const measure = async (kind: Run["kind"], go: () => Promise<Timing>) => {
        const before = cpuSecondsOf(s.pid);
        const timing = await go();
        runs.push({ mode, cores, kind, timing, cpuPerGiB: (cpuSecondsOf(s.pid) - before) / (size / 1024 ** 3), peakRss: memoryOf(s.pid).peak });
      };
      // Each upload writes over the pages the one before it freed (see remove()).
      await freePages(s, source, size);
      await measure("signed", () => put(s, "bench/signed.flac", source, size, sourceSha256));
      await remove(s, "bench/signed.flac");
      await measure("unsigned", () => put(s, "bench/unsigned.flac", source, size, "UNSIGNED-PAYLOAD"));
      await remove(s, "bench/unsigned.flac");
      await measure("chunked", () => put(s, "bench/chunked.flac", chunked.body, size, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", chunked.headers));
      rmSync(chunked.body);
      await s.stop();
      rmSync(home, { recursive: true, force: true });
    }
  const sum = 1 / (1 / md5 + 1 / sha256);
  // The physical bound of one stream: inline every hash runs on its thread in turn;
  // in parallel only the slowest runs alone, and only when a second core exists.
  const bound = (r: Run) =>
    r.kind === "unsigned" ? md5 : r.mode === "parallel" && r.cores > 1 ? Math.min(md5, sha256) : sum;
  const label = { signed: "signed SHA-256 payload", unsigned: "UNSIGNED-PAYLOAD", chunked: "aws-chunked signed, 64 KiB chunks" };
  return runs.map((r) => {
    const share = r.timing.bytesPerSecond / bound(r);
    return {
      metric: `PUT ${size / MiB} MiB, ${label[r.kind]}, hashes ${r.mode}, server on ${r.cores} core${r.cores > 1 ? "s" : ""}`,
      ours: r.timing.status === 200 ? `${mbps(r.timing.bytesPerSecond)}, ${r.cpuPerGiB.toFixed(2)} CPU-s/GiB, ${(100 * share).toFixed(0)} % of bound, peak RSS ${(r.peakRss / MiB).toFixed(0)} MB` : `HTTP ${r.timing.status}`,
      peer: "—",
      limit: `${mbps(bound(r))} (MD5 ${mbps(md5)}, SHA-256 ${mbps(sha256)})`,
      target: r.kind === "chunked" ? "—" : "≥ 80 % of bound",
      met: r.kind === "chunked" ? null : r.timing.status === 200 && share >= 0.8,
    };
  });
}

if (import.meta.main) {
  const sizeMiB = Number(process.env.BENCH_MIB ?? 1024);
  const root = mkdtempSync(join(tmpdir(), "rbs3-phash-"));
  const { path: source, sha256, block } = writeSource(join(root, "source.flac"), sizeMiB);
  const cores = (process.env.BENCH_CORES ?? "1,2").split(",").map(Number);
  try {
    printTable(await parallelHashBench(root, source, sha256, block, sizeMiB * MiB, cores), "parallel hashing");
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
