/**
 * rockboxd-s3 started for the library bench: a port chosen up front (so
 * readiness can be polled from the moment of spawn), info-level logs read
 * line by line with the time each arrived, and the scan command.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { memoryOf, type BenchServer } from "./servers.ts";

export const EXE = join(import.meta.dir, "..", "dist", "rockboxd-s3");
const ACCESS_KEY = "BENCHACCESSKEY000001";
const SECRET_KEY = "benchSecretKey00000000000000000000000001";

export interface Home {
  home: string;
  musicDir: string;
  dbPath: string;
}

/** A HOME with settings.toml, like startRockbox's; the database at its default place. */
export function makeHome(home: string, musicDir = join(home, "Music")): Home {
  const conf = join(home, ".config", "rockbox.org");
  mkdirSync(conf, { recursive: true });
  mkdirSync(musicDir, { recursive: true });
  writeFileSync(
    join(conf, "settings.toml"),
    `music_dir = "${musicDir}"\ns3_enabled = true\ns3_access_key = "${ACCESS_KEY}"\ns3_secret_key = "${SECRET_KEY}"\n`,
  );
  return { home, musicDir, dbPath: join(conf, "rockboxd-s3.db") };
}

/** The environment for our child processes, without ROCKBOX_* overrides of the caller's. */
function envFor(home: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("ROCKBOX_")) env[k] = v;
  return { ...env, HOME: home };
}

async function freePort(): Promise<number> {
  const probe = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const port = probe.port!;
  await probe.stop(true);
  return port;
}

export interface Started extends BenchServer {
  /** performance.now() at spawn. */
  spawnedAt: number;
  /** Resolves with performance.now() when a stderr line matching `pattern` arrives (or has). */
  lineAt(pattern: RegExp, timeoutMs?: number): Promise<{ at: number; line: string }>;
  log(): string;
  /** Resolves with the exit code (a SIGKILL included). */
  exited: Promise<number>;
}

export async function spawnServe(h: Home): Promise<Started> {
  const port = await freePort();
  const spawnedAt = performance.now();
  const proc = Bun.spawn([EXE, "serve", "--port", String(port), "--host", "127.0.0.1", "--log-level", "info"], {
    env: envFor(h.home),
    stdout: "ignore",
    stderr: "pipe",
  });
  const lines: { at: number; line: string }[] = [];
  const waiters: { pattern: RegExp; resolve: (v: { at: number; line: string }) => void }[] = [];
  void (async () => {
    let partial = "";
    const decoder = new TextDecoder();
    for await (const chunk of proc.stderr) {
      const at = performance.now();
      partial += decoder.decode(chunk, { stream: true });
      const parts = partial.split("\n");
      partial = parts.pop()!;
      for (const line of parts) {
        lines.push({ at, line });
        for (const w of waiters.splice(0)) (w.pattern.test(line) ? w.resolve({ at, line }) : waiters.push(w));
      }
    }
  })();
  const log = () => lines.map((l) => l.line).join("\n");
  return {
    name: "rockboxd-s3",
    url: `http://127.0.0.1:${port}`,
    port,
    pid: proc.pid,
    accessKey: ACCESS_KEY,
    secretKey: SECRET_KEY,
    dataDir: h.musicDir,
    spawnedAt,
    lineAt(pattern, timeoutMs = 120_000) {
      const seen = lines.find((l) => pattern.test(l.line));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no log line ${pattern} after ${timeoutMs} ms:\n${log()}`)), timeoutMs);
        waiters.push({ pattern, resolve: (v) => (clearTimeout(timer), resolve(v)) });
        void proc.exited.then(() => reject(new Error(`rockboxd-s3 exited before ${pattern}:\n${log()}`)));
      });
    },
    log,
    exited: proc.exited,
    async stop() {
      proc.kill("SIGTERM");
      await proc.exited;
    },
  };
}

/** performance.now() of the first HTTP response of any status (an unsigned GET / is a 403). */
export async function firstResponse(url: string, timeoutMs = 30_000): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(`${url}/`, { keepalive: false });
      await res.arrayBuffer();
      return performance.now();
    } catch (error) {
      if (performance.now() > deadline) throw error;
      await Bun.sleep(1);
    }
  }
}

/** `rockboxd-s3 scan`: wall seconds, its summary line, and its peak RSS (VmHWM, read until it exits). */
export async function runScan(h: Home): Promise<{ seconds: number; summary: string; parsed: number; peakRss: number; cpuSeconds: number }> {
  const t = performance.now();
  const proc = Bun.spawn([EXE, "scan", "--music-dir", h.musicDir, "--db", h.dbPath], { env: envFor(h.home), stdout: "pipe", stderr: "pipe" });
  let peakRss = 0;
  const sample = setInterval(() => {
    try {
      peakRss = Math.max(peakRss, memoryOf(proc.pid).peak);
    } catch {} // exited between two samples
  }, 50);
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  clearInterval(sample);
  const seconds = (performance.now() - t) / 1000;
  const summary = out.trim().split("\n").at(-1) ?? "";
  const m = /(\d+) parsed/.exec(summary);
  if (code !== 0 || !m) throw new Error(`scan failed (${code}): ${out}${err}`);
  const usage = proc.resourceUsage()!;
  const cpuSeconds = Number(usage.cpuTime.user + usage.cpuTime.system) / 1e6; // every thread's, as noise barely moves it
  return { seconds, summary, parsed: Number(m[1]), peakRss, cpuSeconds };
}
