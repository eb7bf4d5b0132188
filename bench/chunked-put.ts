/**
 * `bun run bench/chunked-put.ts`: server CPU-seconds per GiB of one signed
 * aws-chunked PUT (64 KiB chunks) against the built executable, RUNS times
 * (default 3), printing each and the median — the part of `bun run bench`
 * the aws-chunked decoder decides (issue 11). BENCH_MIB sets the size.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { $ } from "bun";
import { prepareChunkedPut } from "./chunked-body.ts";
import { MiB } from "./report.ts";
import { cpuSecondsOf, memoryOf, startRockbox } from "./servers.ts";
import { put } from "./transfer.ts";

/** Minor page faults so far: fresh buffers cost one per 4 KiB page touched. */
function minorFaultsOf(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")[7]);
}

const SIZE = Number(process.env.BENCH_MIB ?? 1024) * MiB;
const RUNS = Number(process.env.RUNS ?? 3);
const CHUNK = 64 * 1024;
const root = mkdtempSync(join(tmpdir(), "rbs3-chunked-"));
if (!existsSync("dist/rockboxd-s3")) await $`bun run build`;

// CPU_PROF_DIR=dir runs the server from source under Bun's --cpu-prof instead (a .cpuprofile lands in dir on exit).
const profDir = process.env.CPU_PROF_DIR;
// ROCKBOX_BIN=path measures another build (e.g. a copy of main's) for a before/after on the same load.
const command = profDir ? ["bun", "--cpu-prof", `--cpu-prof-dir=${profDir}`, "src/main.ts"] : process.env.ROCKBOX_BIN ? [process.env.ROCKBOX_BIN] : undefined;
const server = await startRockbox(join(root, "rockbox"), { command });
const block = crypto.getRandomValues(new Uint8Array(CHUNK));
const figures: number[] = [];
try {
  for (let run = 0; run < RUNS; run++) {
    const key = `bench/chunked-${run}.flac`;
    const { body, headers } = await prepareChunkedPut(server, key, join(root, "chunked.body"), block, SIZE, CHUNK);
    const before = cpuSecondsOf(server.pid);
    const faultsBefore = minorFaultsOf(server.pid);
    const timing = await put(server, key, body, SIZE, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", headers);
    const perGiB = (cpuSecondsOf(server.pid) - before) / (SIZE / 1024 ** 3);
    const faults = (minorFaultsOf(server.pid) - faultsBefore) / (SIZE / 1024 ** 3);
    if (timing.status !== 200) throw new Error(`PUT answered ${timing.status}`);
    figures.push(perGiB);
    const load = (await Bun.file("/proc/loadavg").text()).split(" ").slice(0, 3).join(" ");
    console.log(`run ${run + 1}: ${perGiB.toFixed(2)} CPU-s/GiB, ${(timing.bytesPerSecond / MiB).toFixed(0)} MiB/s, ${Math.round(faults)} minor faults/GiB, load ${load}`);
    rmSync(body);
  }
  const sorted = [...figures].sort((a, b) => a - b);
  console.log(`median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(2)} CPU-s/GiB; peak RSS ${(memoryOf(server.pid).peak / MiB).toFixed(0)} MiB`);
} finally {
  await server.stop();
  rmSync(root, { recursive: true, force: true });
}
