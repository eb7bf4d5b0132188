/**
 * The servers under test, each in its own process: rockboxd-s3 (the built
 * executable) and s3rver (npm) under Node.js as the peer.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface BenchServer {
  name: string;
  url: string;
  port: number;
  pid: number;
  accessKey: string;
  secretKey: string;
  /** Where an object's bytes land, for checks. */
  dataDir: string;
  stop(): Promise<void>;
}

const ROOT = join(import.meta.dir, "..");

async function readUntil(stream: ReadableStream<Uint8Array>, pattern: RegExp): Promise<RegExpMatchArray> {
  const reader = stream.getReader();
  let text = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`process ended before ${pattern}: ${text}`);
    text += new TextDecoder().decode(value);
    const m = text.match(pattern);
    if (m) {
      reader.releaseLock();
      void (async () => {
        for await (const _ of stream) {
        }
      })();
      return m;
    }
  }
}

export interface RockboxOptions {
  /** Replaces the built executable (e.g. `bun --cpu-prof src/main.ts` for a profile). */
  command?: string[];
  /** Added to this process's environment. */
  env?: Record<string, string>;
}

export async function startRockbox(home: string, { command = [join(ROOT, "dist", "rockboxd-s3")], env = {} }: RockboxOptions = {}): Promise<BenchServer> {
  const accessKey = "BENCHACCESSKEY000001";
  const secretKey = "benchSecretKey00000000000000000000000001";
  const musicDir = join(home, "Music");
  mkdirSync(join(home, ".config", "rockbox.org"), { recursive: true });
  mkdirSync(musicDir, { recursive: true });
  writeFileSync(
    join(home, ".config", "rockbox.org", "settings.toml"),
    `music_dir = "${musicDir}"\ns3_enabled = true\ns3_access_key = "${accessKey}"\ns3_secret_key = "${secretKey}"\n`,
  );
  const proc = Bun.spawn([...command, "serve", "--port", "0", "--host", "127.0.0.1", "--log-level", "warn"], {
    env: { ...process.env, ...env, HOME: home },
    stdout: "pipe",
    stderr: "inherit",
  });
  const m = await readUntil(proc.stdout, /listening on (http:\/\/[^\s]+:(\d+))/);
  return {
    name: "rockboxd-s3",
    url: m[1]!,
    port: Number(m[2]),
    pid: proc.pid,
    accessKey,
    secretKey,
    dataDir: musicDir,
    async stop() {
      proc.kill("SIGTERM");
      await proc.exited;
    },
  };
}

/**
 * s3rver 3.7 encrypts continuation tokens with DES, which OpenSSL 3 only has
 * in its legacy provider: without it every truncated ListObjectsV2 page is a 500.
 */
export async function startS3rver(dir: string): Promise<BenchServer> {
  const options = [process.env.NODE_OPTIONS, "--openssl-legacy-provider"].filter(Boolean).join(" ");
  const proc = Bun.spawn(["node", join(import.meta.dir, "s3rver-peer.mjs"), dir], {
    cwd: ROOT,
    env: { ...process.env, NODE_OPTIONS: options },
    stdout: "pipe",
    stderr: "inherit",
  });
  const m = await readUntil(proc.stdout, /listening on (http:\/\/[^\s]+:(\d+))/);
  return {
    name: "s3rver",
    url: m[1]!,
    port: Number(m[2]),
    pid: proc.pid,
    accessKey: "S3RVER",
    secretKey: "S3RVER",
    dataDir: dir,
    async stop() {
      proc.kill("SIGTERM");
      await proc.exited;
    },
  };
}

/**
 * CPU time the process has used so far (utime + stime, all threads), in
 * seconds: on a shared, noisy machine this moves far less than wall-clock
 * rates do, so it is the primary transfer figure (SPEC §8).
 */
export function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux
}

/** Peak resident set (VmHWM) and current RSS of a process, in bytes. */
export function memoryOf(pid: number): { peak: number; now: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024;
  return { peak: kb("VmHWM"), now: kb("VmRSS") };
}
