/**
 * The first-scan figures alone (bench/library.ts's scan row without the rest):
 * BENCH_SCAN (10000) fresh copies of the tagged fixtures, `rockboxd-s3 scan`
 * on them, wall seconds, files/s, the process's CPU-ms per file (utime+stime,
 * from the child's resource usage) and its peak RSS (VmHWM).
 * Run: bun bench/library-scan-probe.ts
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EXE as BUILT, makeHome } from "./library-server.ts";
import { copyTree, taggedFixtures } from "./library-tree.ts";
import { memoryOf } from "./servers.ts";

/** BENCH_EXE: another build to compare with (e.g. the previous commit's). */
const EXE = process.env.BENCH_EXE ?? BUILT;
const SCAN = Number(process.env.BENCH_SCAN ?? 10_000);
const RUNS = Number(process.env.RUNS ?? 1);
const root = mkdtempSync(join(tmpdir(), "scan-probe-"));
try {
  for (let run = 0; run < RUNS; run++) {
    const h = makeHome(join(root, `h${run}`));
    copyTree(h.musicDir, SCAN, taggedFixtures());
    const t = performance.now();
    const proc = Bun.spawn([EXE, "scan", "--music-dir", h.musicDir, "--db", h.dbPath], {
      env: { ...process.env, HOME: h.home },
      stdout: "pipe",
      stderr: "pipe",
    });
    let peak = 0;
    const sample = setInterval(() => {
      try {
        peak = Math.max(peak, memoryOf(proc.pid).peak);
      } catch {}
    }, 20);
    const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    clearInterval(sample);
    const seconds = (performance.now() - t) / 1000;
    const usage = proc.resourceUsage()!;
    const cpuMs = Number(usage.cpuTime.user + usage.cpuTime.system) / 1000;
    const maxRss = usage.maxRSS; // ru_maxrss, the child's own peak (kB on Linux, reported by Bun in bytes?)
    if (code !== 0) throw new Error(`scan failed ${code}: ${out}${err}`);
    console.log(`${out.trim()} | wall ${seconds.toFixed(2)} s, ${(SCAN / seconds).toFixed(0)} files/s, CPU ${(cpuMs / 1000).toFixed(2)} s = ${(cpuMs / SCAN).toFixed(3)} ms/file (user ${(Number(usage.cpuTime.user) / 1e6).toFixed(2)} sys ${(Number(usage.cpuTime.system) / 1e6).toFixed(2)}), peak RSS sampled ${(peak / 2 ** 20).toFixed(0)} MiB, ru_maxrss ${maxRss}`);
    rmSync(h.home, { recursive: true, force: true });
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
