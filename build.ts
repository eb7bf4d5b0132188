/**
 * `bun run build` → dist/rockboxd-s3 for this machine;
 * `bun run build --all` → also dist/rockboxd-s3-linux-x64 and -linux-arm64;
 * `bun run build --target linux-arm64` → only that one.
 */
import { $ } from "bun";

/**
 * What goes into the executable: the program, and each worker thread's own
 * entrypoint (`bun build --compile` bundles a worker only when it is listed;
 * it keeps its path relative to src/, where src/library/tag-pool.ts and src/s3/hash-pool.ts look).
 */
export const ENTRYPOINTS = ["./src/main.ts", "./src/library/tag-worker.ts", "./src/s3/hash-worker.ts"].map((p) => new URL(p, import.meta.url).pathname);

const TARGETS = {
  "linux-x64": "bun-linux-x64",
  "linux-arm64": "bun-linux-arm64",
} as const;

/**
 * JavaScriptCore's tier-up thresholds are scaled by this until `serve` has
 * finished its startup reconcile (main.ts then sets its serving policy;
 * `scan` sets the normal one at once): code that runs once per start stays
 * out of the optimising compilers, whose code pages and scratch memory
 * otherwise stay resident in an idle server (empty library 58 → 50 MB,
 * 100k tracks 70 → 55 MB; 1000 left 61 MB at 100k, 10 and 100 only helped
 * the empty one).
 */
const STARTUP_JIT_POLICY = 10_000;

/** Bun.build's settings for the executable (the tests' own build uses them too). */
export function buildConfig(outfile: string, target?: string): Bun.BuildConfig {
  return {
    entrypoints: ENTRYPOINTS,
    compile: { outfile, jitPolicy: STARTUP_JIT_POLICY, ...(target ? { target: target as Bun.Build.CompileTarget } : {}) },
    minify: true,
    sourcemap: "linked",
    bytecode: false,
  };
}

async function compile(outfile: string, target?: string): Promise<void> {
  const started = performance.now();
  const result = await Bun.build(buildConfig(outfile, target));
  if (!result.success) {
    for (const log of result.logs) console.error(log);
    throw new Error(`build of ${outfile} failed`);
  }
  const size = Bun.file(outfile).size / 1024 ** 2;
  console.log(`built ${outfile} (${size.toFixed(1)} MiB, ${((performance.now() - started) / 1000).toFixed(1)} s)`);
}

if (import.meta.main) {
  await $`mkdir -p dist`;
  const only = Bun.argv.indexOf("--target");
  if (only > 0) {
    const name = Bun.argv[only + 1] as keyof typeof TARGETS;
    if (!(name in TARGETS)) throw new Error(`--target takes one of ${Object.keys(TARGETS).join(", ")}`);
    await compile(`dist/rockboxd-s3-${name}`, TARGETS[name]);
  } else {
    await compile("dist/rockboxd-s3");
    if (Bun.argv.includes("--all")) {
      for (const [name, target] of Object.entries(TARGETS)) await compile(`dist/rockboxd-s3-${name}`, target);
    }
  }
}
