/**
 * Issue 11: the 1 GiB awscli-style multipart (bench/multipart.ts) on two
 * builds in the same minute, alternating, so the shared machine's load
 * weighs on both alike: this worktree's dist/rockboxd-s3 and the one in
 * BENCH_EXE (e.g. the previous commit's build). Server CPU-seconds per GiB
 * for the whole upload and for the Complete alone.
 *
 *   BENCH_EXE=/tmp/before/dist/rockboxd-s3 bun bench/multipart-slots.ts
 * BENCH_MIB (default 1024), BENCH_RUNS (default 3).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { multipartUpload } from "./multipart.ts";
import { startRockbox } from "./servers.ts";
import { writeSource } from "./source.ts";

const MIB = Number(process.env.BENCH_MIB ?? 1024);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const builds: [string, string][] = [["this build", join(import.meta.dir, "..", "dist", "rockboxd-s3")]];
if (process.env.BENCH_EXE) builds.unshift(["BENCH_EXE", process.env.BENCH_EXE]);

const root = mkdtempSync(join(tmpdir(), "rbs3-mp-slots-"));
const source = writeSource(join(root, "source.bin"), 1);
const load = () => (require("node:os") as typeof import("node:os")).loadavg().map((l) => l.toFixed(2)).join(" ");
try {
  for (let run = 1; run <= RUNS; run++) {
    for (const [name, exe] of builds) {
      const home = join(root, `home-${run}-${name.replace(/\W/g, "")}`);
      const server = await startRockbox(home, { command: [exe] });
      try {
        const f = await multipartUpload(server, root, "bench/multipart.flac", source.block, MIB * 1024 ** 2);
        console.log(
          `${name.padEnd(10)} run ${run}: status ${f.status}, ${f.seconds.toFixed(1)} s, ` +
            `whole ${f.cpuPerGiB.toFixed(2)} CPU-s/GiB, Complete ${f.completeCpuPerGiB.toFixed(3)} CPU-s/GiB (load ${load()})`,
        );
      } finally {
        await server.stop();
        rmSync(home, { recursive: true, force: true });
      }
    }
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
