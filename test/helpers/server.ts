/**
 * A real rockboxd-s3 process on port 0, with its own HOME, settings file,
 * music folder and database in a temp dir. `await using` stops it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const ACCESS_KEY = "RBTESTACCESSKEY00001";
export const SECRET_KEY = "rbTestSecretKey0000000000000000000000001";
export const ROOT = join(import.meta.dir, "..", "..");
export const MAIN = join(ROOT, "src", "main.ts");

export interface TestServer extends AsyncDisposable {
  url: string;
  port: number;
  home: string;
  musicDir: string;
  dbPath: string;
  configPath: string;
  proc: Bun.Subprocess<"ignore", "pipe", "pipe">;
  /** Everything the process wrote to stderr so far. */
  stderr(): string;
  stop(signal?: NodeJS.Signals): Promise<number>;
}

export function tempDir(label = "rbs3"): string {
  return mkdtempSync(join(tmpdir(), `${label}-`));
}

export interface StartOptions {
  /** Reuse a home (and so its music folder and database) across restarts. */
  home?: string;
  settings?: string;
  env?: Record<string, string>;
  args?: string[];
  /** The program to run instead of `bun src/main.ts` (e.g. the built executable). */
  command?: string[];
}

export function writeSettings(home: string, extra = ""): string {
  const configPath = join(home, ".config", "rockbox.org", "settings.toml");
  mkdirSync(join(home, ".config", "rockbox.org"), { recursive: true });
  writeFileSync(
    configPath,
    `music_dir = "${join(home, "Music")}"\ns3_enabled = true\ns3_access_key = "${ACCESS_KEY}"\ns3_secret_key = "${SECRET_KEY}"\n${extra}`,
    { mode: 0o600 },
  );
  return configPath;
}

/** Reads a stream until `pattern` matches; returns the match. */
async function waitForLine(stream: ReadableStream<Uint8Array>, pattern: RegExp, seen: { text: string }): Promise<RegExpMatchArray> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`server exited before printing ${pattern}: ${seen.text}`);
    seen.text += decoder.decode(value, { stream: true });
    const m = seen.text.match(pattern);
    if (m) {
      reader.releaseLock();
      return m;
    }
  }
}

export async function startServer(opts: StartOptions = {}): Promise<TestServer> {
  const home = opts.home ?? tempDir();
  const configPath = join(home, ".config", "rockbox.org", "settings.toml");
  if (!opts.home) writeSettings(home, opts.settings);
  const musicDir = join(home, "Music");
  const dbPath = join(home, ".config", "rockbox.org", "rockboxd-s3.db");
  const proc = Bun.spawn([...(opts.command ?? ["bun", MAIN]), "serve", "--port", "0", "--host", "127.0.0.1", ...(opts.args ?? [])], {
    env: { ...process.env, HOME: home, ROCKBOX_LIBRARY: "", ROCKBOXD_S3_LOG_LEVEL: "warn", ...opts.env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const err = { text: "" };
  const drainErr = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of proc.stderr) err.text += decoder.decode(chunk, { stream: true });
  })();
  const out = { text: "" };
  let match: RegExpMatchArray;
  try {
    match = await Promise.race([
      waitForLine(proc.stdout, /listening on (https?:\/\/[^\s]+:(\d+))/, out),
      Bun.sleep(20_000).then(() => {
        throw new Error("server did not start in 20 s");
      }),
    ]);
  } catch (e) {
    proc.kill("SIGKILL");
    await drainErr.catch(() => {});
    throw new Error(`${(e as Error).message}\nstderr: ${err.text}`);
  }
  // Keep draining stdout so the child never blocks on a full pipe.
  void (async () => {
    for await (const _ of proc.stdout) {
    }
  })().catch(() => {});
  const server: TestServer = {
    url: match[1]!,
    port: Number(match[2]),
    home,
    musicDir,
    dbPath,
    configPath,
    proc,
    stderr: () => err.text,
    async stop(signal: NodeJS.Signals = "SIGTERM") {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return proc.exited;
    },
    async [Symbol.asyncDispose]() {
      await server.stop();
      if (!opts.home) rmSync(home, { recursive: true, force: true });
    },
  };
  return server;
}

/** Polls until `check` returns a truthy value (never a fixed sleep). */
export async function waitFor<T>(check: () => T | Promise<T>, timeoutMs = 10_000, what = "condition"): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ""}`);
    await Bun.sleep(10);
  }
}
