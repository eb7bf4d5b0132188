/**
 * The command line and the settings file, run as a real process: first-run
 * init, s3: disabled, exit codes, precedence, unknown keys ignored.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { MAIN, startServer, tempDir, writeSettings } from "../helpers/server.ts";

function run(args: string[], home: string, env: Record<string, string> = {}) {
  const p = Bun.spawnSync(["bun", MAIN, ...args], {
    env: { ...process.env, HOME: home, ROCKBOX_LIBRARY: "", ...env },
    stdin: "ignore",
  });
  return { code: p.exitCode, out: p.stdout.toString(), err: p.stderr.toString() };
}

const settingsPath = (home: string) => join(home, ".config", "rockbox.org", "settings.toml");

describe("init", () => {
  test("writes 0600 settings with fresh credentials and prints client snippets", () => {
    const home = tempDir();
    const r = run(["init", "--music-dir", join(home, "Tunes")], home);
    expect(r.code).toBe(0);
    const path = settingsPath(home);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const text = readFileSync(path, "utf8");
    const access = /s3_access_key = "([A-Z0-9]{20})"/.exec(text)?.[1];
    const secret = /s3_secret_key = "([A-Za-z0-9]{40})"/.exec(text)?.[1];
    expect(access).toBeDefined();
    expect(secret).toBeDefined();
    expect(text).toContain("s3_enabled = true");
    expect(text).toContain(`music_dir = "${join(home, "Tunes")}"`);
    expect(r.out).toContain(access!);
    expect(r.out).toContain("rclone config create");
    expect(r.out).toContain("mc alias set");
    expect(r.out).toContain("aws --endpoint-url");
    expect(r.out).toContain("host_base");
    // Never rewrites an existing file.
    const again = run(["init"], home);
    expect(again.code).toBe(0);
    expect(again.out).toContain("already exists");
    expect(readFileSync(path, "utf8")).toBe(text);
    // Two inits never share credentials.
    const other = tempDir();
    run(["init"], other);
    expect(readFileSync(settingsPath(other), "utf8")).not.toContain(access!);
  });
});

describe("serve", () => {
  test("first run with no settings file creates one, prints the credentials once, and serves", async () => {
    const home = tempDir();
    await using server = await startServer({ home, args: ["--music-dir", join(home, "Music")] });
    const text = readFileSync(settingsPath(home), "utf8");
    const access = /s3_access_key = "([A-Z0-9]{20})"/.exec(text)![1]!;
    expect(statSync(settingsPath(home)).mode & 0o777).toBe(0o600);
    const r = await fetch(`${server.url}/`);
    expect(r.status).toBe(403);
    expect(access.length).toBe(20);
    expect(existsSync(join(home, "Music"))).toBe(true);
  });

  test("s3_enabled = false → 's3: disabled', the reason and fix, exit 78", () => {
    const home = tempDir();
    mkdirSync(join(home, ".config", "rockbox.org"), { recursive: true });
    writeFileSync(settingsPath(home), 's3_enabled = false\ns3_access_key = "a"\ns3_secret_key = "b"\n');
    const r = run(["serve", "--port", "0"], home);
    expect(r.code).toBe(78);
    expect(r.err).toContain("s3: disabled");
    expect(r.err).toContain("s3_enabled = true");
  });

  test("an empty secret → disabled with the key named, exit 78", () => {
    const home = tempDir();
    mkdirSync(join(home, ".config", "rockbox.org"), { recursive: true });
    writeFileSync(settingsPath(home), 's3_enabled = true\ns3_access_key = "a"\ns3_secret_key = ""\n');
    const r = run(["serve", "--port", "0"], home);
    expect(r.code).toBe(78);
    expect(r.err).toContain("s3_secret_key");
  });

  test("a key of the wrong type names the key and the file, exit 78", () => {
    const home = tempDir();
    mkdirSync(join(home, ".config", "rockbox.org"), { recursive: true });
    writeFileSync(settingsPath(home), 's3_enabled = true\ns3_port = "nine thousand"\n');
    const r = run(["serve"], home);
    expect(r.code).toBe(78);
    expect(r.err).toContain("s3_port");
    expect(r.err).toContain(settingsPath(home));
  });

  test("unknown keys and tables of other rockboxd parts are ignored", async () => {
    const home = tempDir();
    writeSettings(home, 'audio_output = "alsa"\nvolume = -20\n[equalizer]\nenabled = true\nbands = [1, 2, 3]\n');
    await using server = await startServer({ home });
    expect((await fetch(`${server.url}/`)).status).toBe(403);
  });

  test("precedence: flag > environment > settings file", async () => {
    const home = tempDir();
    writeSettings(home);
    const fromEnv = join(home, "EnvMusic");
    const fromFlag = join(home, "FlagMusic");
    mkdirSync(fromEnv);
    mkdirSync(fromFlag);
    {
      await using server = await startServer({ home, env: { ROCKBOX_LIBRARY: fromEnv } });
      expect(server.url).toStartWith("http://127.0.0.1:");
      await server.stop();
      expect(server.stderr()).not.toContain("error");
    }
    const r1 = run(["serve", "--port", "abc"], home);
    expect(r1.code).toBe(78);
    const bad = run(["serve"], home, { ROCKBOXD_S3_PORT: "99999" });
    expect(bad.code).toBe(78);
    expect(bad.err).toContain("ROCKBOXD_S3_PORT");
    // The flag wins over the environment: the port from the flag is used.
    await using flagged = await startServer({ home, env: { ROCKBOXD_S3_PORT: "99999", ROCKBOX_LIBRARY: fromEnv }, args: ["--music-dir", fromFlag] });
    expect(flagged.port).toBeGreaterThan(0);
  });

  test("ROCKBOXD_S3_HASH_THREADS outside 0–8, or not a whole number, names the variable, exit 78", () => {
    const home = tempDir();
    writeSettings(home);
    for (const value of ["9", "two", "-1", "1.5"]) {
      const bad = run(["serve"], home, { ROCKBOXD_S3_HASH_THREADS: value });
      expect(bad.code).toBe(78);
      expect(bad.err).toContain(`ROCKBOXD_S3_HASH_THREADS must be a whole number from 0 to 8, not '${value}'`);
    }
  });
});

describe("usage", () => {
  test("--version, --help, <command> --help", () => {
    const home = tempDir();
    expect(run(["--version"], home).out.trim()).toBe(`rockboxd-s3 ${pkg.version}`);
    const help = run(["--help"], home);
    expect(help.code).toBe(0);
    for (const word of ["serve", "init", "scan", "library", "--music-dir", "--log-level"]) expect(help.out).toContain(word);
    expect(run(["init", "--help"], home).out).toContain("never rewritten");
  });
  test("unknown command or option → exit 2", () => {
    const home = tempDir();
    expect(run(["frobnicate"], home).code).toBe(2);
    expect(run(["serve", "--no-such-flag"], home).code).toBe(2);
    expect(run(["--log-level", "loud", "serve"], home).code).toBe(78);
  });
});
