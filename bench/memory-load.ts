/**
 * Memory under load (SPEC §8): peak RSS of a fresh server for one signed
 * 1 GiB PUT, for 4 of them at once (with their aggregate rate and CPU per
 * GiB), and for an awscli-style multipart upload — three servers, so each
 * VmHWM belongs to one workload. `bun run bench/memory-load.ts` runs it
 * alone (BENCH_MIB sets the size, default 1024).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { multipartUpload } from "./multipart.ts";
import { type MemoryPeaks, sampleMemory } from "./proc-sampler.ts";
import { mb, MiB, mbps, printTable, type Row } from "./report.ts";
import { type BenchServer, cpuSecondsOf, startRockbox } from "./servers.ts";
import { type Source, writeSource } from "./source.ts";
import { put } from "./transfer.ts";


const CONCURRENT = 4;
const TARGET = 100 * MiB; // SPEC §8 "< 100 MB", in the MB that mb() prints

interface Run<T> {
  result: T;
  memory: MemoryPeaks;
  cpuSeconds: number;
  seconds: number;
}

/** Runs `work` against a fresh server, sampling its memory and CPU throughout. */
async function onFreshServer<T>(root: string, name: string, work: (server: BenchServer) => Promise<T>): Promise<Run<T>> {
  const home = join(root, `memory-${name}`);
  const server = await startRockbox(home);
  try {
    const sampler = sampleMemory(server.pid);
    const cpu = cpuSecondsOf(server.pid);
    const started = performance.now();
    const result = await work(server);
    const seconds = (performance.now() - started) / 1000;
    const cpuSeconds = cpuSecondsOf(server.pid) - cpu;
    return { result, memory: sampler.stop(), cpuSeconds, seconds };
  } finally {
    await server.stop();
    rmSync(home, { recursive: true, force: true });
  }
}

const shown = (m: MemoryPeaks) => `${mb(m.hwm)} (at peak: anon ${mb(m.peak.anon)}, file ${mb(m.peak.file)})`;

export async function memoryLoadBench(root: string, source: Source): Promise<Row[]> {
  const gib = source.size / 1024 ** 3;
  const label = `${source.size / MiB} MiB`;
  const one = await onFreshServer(root, "one", (s) => put(s, "bench/one.flac", source.path, source.size, source.sha256));
  const four = await onFreshServer(root, "four", (s) =>
    Promise.all(Array.from({ length: CONCURRENT }, (_, i) => put(s, `bench/four-${i}.flac`, source.path, source.size, source.sha256))),
  );
  const multi = await onFreshServer(root, "multipart", (s) => multipartUpload(s, root, "bench/multipart.flac", source.block, source.size));
  const fourOk = four.result.every((t) => t.status === 200);
  const row = (metric: string, run: Run<unknown>, ok: boolean, extra = ""): Row => ({
    metric,
    ours: ok ? `${shown(run.memory)}${extra}` : "failed",
    peer: "—",
    limit: "—",
    target: "< 100 MB",
    met: ok && run.memory.hwm < TARGET,
  });
  return [
    row(`peak RSS, one signed PUT of ${label}`, one, one.result.status === 200),
    row(
      `peak RSS, ${CONCURRENT} concurrent signed PUTs of ${label}`,
      four,
      fourOk,
      `; together ${mbps((CONCURRENT * source.size) / four.seconds)}, ${(four.cpuSeconds / (CONCURRENT * gib)).toFixed(2)} CPU-s/GiB`,
    ),
    row(`peak RSS, multipart ${label} (8 MiB × 10 parallel, awscli-style)`, multi, multi.result.status === 200),
  ];
}

if (import.meta.main) {
  const root = mkdtempSync(join(tmpdir(), "rbs3-memory-"));
  try {
    const source = writeSource(join(root, "memory-source.flac"), Number(process.env.BENCH_MIB ?? 1024));
    printTable(await memoryLoadBench(root, source), "rockboxd-s3 memory under load");
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
