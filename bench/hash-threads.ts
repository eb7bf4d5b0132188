/**
 * Where one PUT's server CPU goes, per thread (issue 11, hash pool): runs
 * the server FROM SOURCE (so `--cpu-prof` and perf see JS names) with
 * ROCKBOXD_S3_HASH_THREADS=$THREADS, PUTs $BENCH_MIB MiB (signed SHA-256
 * payload, or UNSIGNED-PAYLOAD with KIND=unsigned) with curl, and prints
 * each thread's CPU-seconds from /proc/<pid>/task/<tid>/stat and the peak
 * RSS. PROFILE=dir adds Bun's --cpu-prof output there (it samples wall
 * time, waits included: read it beside the per-thread CPU); CORES=n pins
 * the server to the first n CPUs; PERF=file records `perf record -g` of
 * the server during the PUT; SMOL=1 runs it with `bun --smol`.
 */
import { $ } from "bun";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MiB } from "./report.ts";
import { memoryOf, startRockbox } from "./servers.ts";
import { writeSource } from "./source.ts";
import { put } from "./transfer.ts";

const sizeMiB = Number(process.env.BENCH_MIB ?? 512);
const threads = process.env.THREADS ?? "2";
const kind = process.env.KIND ?? "signed";
const root = mkdtempSync(join(tmpdir(), "rbs3-hthreads-"));

interface Thread {
  name: string;
  cpu: number;
}
function threadsOf(pid: number): Map<string, Thread> {
  const out = new Map<string, Thread>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const f = stat.slice(stat.lastIndexOf(") ") + 2).split(" ");
      out.set(tid, { name, cpu: (Number(f[11]) + Number(f[12])) / 100 });
    } catch {}
  }
  return out;
}

const { path: source, sha256, block } = writeSource(join(root, "source.flac"), sizeMiB);
const profile = process.env.PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${process.env.PROFILE}`] : [];
const command = ["bun", ...(process.env.SMOL ? ["--smol"] : []), ...profile, join(import.meta.dir, "..", "src", "main.ts")];
const server = await startRockbox(join(root, "home"), { command, env: { ROCKBOXD_S3_HASH_THREADS: threads } });
const proc = { pid: server.pid };
if (process.env.CORES) await $`taskset -a -c -p 0-${Number(process.env.CORES) - 1} ${proc.pid}`.quiet();
// A small PUT first, so the workers (started on the first upload) exist before the measurement.
const small = join(root, "small.bin");
writeFileSync(small, block.subarray(0, 1000));
await put(server, "bench/warm.flac", small, 1000, "UNSIGNED-PAYLOAD");
const perf = process.env.PERF ? Bun.spawn(["perf", "record", "-F", "999", "-g", "-p", String(proc.pid), "-o", process.env.PERF], { stdout: "ignore", stderr: "ignore" }) : null;
if (perf) await Bun.sleep(500); // perf attaches to every thread
const before = threadsOf(proc.pid);
const rssBefore = memoryOf(proc.pid);
const load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
const timing = await put(server, "bench/big.flac", source, sizeMiB * MiB, kind === "signed" ? sha256 : "UNSIGNED-PAYLOAD");
const after = threadsOf(proc.pid);
if (perf) {
  perf.kill("SIGINT");
  await perf.exited;
}
const rows = [...after].map(([tid, t]) => ({ tid, name: t.name, cpu: t.cpu - (before.get(tid)?.cpu ?? 0) })).filter((r) => r.cpu > 0.005);
const total = rows.reduce((s, r) => s + r.cpu, 0);
console.log(`threads=${threads} kind=${kind} ${sizeMiB} MiB: HTTP ${timing.status}, ${(timing.bytesPerSecond / MiB).toFixed(0)} MiB/s, server CPU ${total.toFixed(2)} s (${(total / (sizeMiB / 1024)).toFixed(2)} CPU-s/GiB), peak RSS ${(memoryOf(proc.pid).peak / MiB).toFixed(0)} MB (before the PUT ${(rssBefore.now / MiB).toFixed(0)} MB), load ${load}`);
for (const r of rows.sort((a, b) => b.cpu - a.cpu)) console.log(`  ${r.tid.padStart(7)} ${r.name.padEnd(16)} ${r.cpu.toFixed(2)} s`);
await server.stop();
rmSync(root, { recursive: true, force: true });
