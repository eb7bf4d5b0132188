/**
 * s3fs-fuse (Debian 1.90) with its defaults: the bucket mounted as a folder
 * and used with plain cp / mkdir / ls / cat / rm, as a NAS owner would. Files
 * above its multipart threshold (25 MB) go up in 10 MB parts. Needs FUSE
 * (/dev/fuse, root), which this machine kind and CI have.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { copyFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { MiB } from "../helpers/bytes.ts";
import { makeFixture, md5File, type Fixture } from "../helpers/clients/fixture.ts";
import { filesUnder, musicLeft, workLeftovers } from "../helpers/clients/music-folder.ts";
import { describeRun, must, requireTool, run } from "../helpers/clients/process.ts";
import { opCounts, type Recorder, recordingProxy } from "../helpers/clients/recorder.ts";
import { executableCommand } from "../helpers/executable.ts";
import { ACCESS_KEY, SECRET_KEY, startServer, tempDir, type TestServer, waitFor } from "../helpers/server.ts";

const LARGE = 30 * MiB + 777;
const ALBUM = "Björk/Vespertine 東京";
const FIXTURE = join(import.meta.dir, "..", "fixtures", "audio", "tagged.flac");

let server: TestServer;
/** The proxy clients talk to: it records what they send. */
let recorder: Recorder;
let fx: Fixture;
let home: string;
let mnt: string;
let s3fs: Bun.Subprocess;
// Reads through the mount are asynchronous on purpose: s3fs answers them by talking to the recording
// proxy, which runs on this process's event loop; a synchronous read would block it and never return.

const mounted = () => readFileSync("/proc/mounts", "utf8").split("\n").some((l) => l.split(" ")[1] === mnt);
const sh = (cmd: string[]) => run(cmd, { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LANG: "C.UTF-8" }, recorder, timeoutMs: 120_000 });

beforeAll(async () => {
  const bin = requireTool("s3fs", ["s3fs"], "Install it with `apt-get install s3fs` (.ci/run does).");
  expect(existsSync("/dev/fuse"), "s3fs needs FUSE: /dev/fuse is missing").toBe(true);
  server = await startServer({ command: await executableCommand() });
  recorder = await recordingProxy(server);
  fx = makeFixture("s3fs", LARGE);
  home = tempDir("s3fs-home");
  mnt = join(home, "mnt");
  mkdirSync(mnt);
  const passwd = join(home, "passwd");
  writeFileSync(passwd, `${ACCESS_KEY}:${SECRET_KEY}\n`, { mode: 0o600 });
  // -f keeps it in the foreground, so the test owns the process.
  s3fs = Bun.spawn([bin, "music", mnt, "-f", "-o", `url=${recorder.url}`, "-o", "use_path_request_style", "-o", `passwd_file=${passwd}`], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home },
    stdout: "ignore",
    stderr: "pipe",
  });
  await waitFor(mounted, 20_000, "s3fs mount");
});

afterAll(async () => {
  if (mnt && mounted()) await Bun.spawn(["fusermount", "-u", mnt]).exited;
  s3fs?.kill();
  await s3fs?.exited;
  await recorder?.[Symbol.asyncDispose]();
  await server?.[Symbol.asyncDispose]();
  for (const d of [fx?.dir, home]) if (d) rmSync(d, { recursive: true, force: true });
});

describe("s3fs", () => {
  test("cp a small tagged file in: byte-equal on disk, and a track in the library", async () => {
    must(await sh(["mkdir", "-p", join(mnt, ALBUM)]));
    must(await sh(["cp", FIXTURE, join(mnt, ALBUM, "03 Pagan Poetry.flac")]));
    expect(await md5File(join(server.musicDir, ALBUM, "03 Pagan Poetry.flac"))).toBe(await md5File(FIXTURE));
    const db = new Database(server.dbPath, { readonly: true });
    const row = await waitFor(() => db.query<{ artist: string }, [string]>("SELECT artist FROM track WHERE rel_path = ?").get(`${ALBUM}/03 Pagan Poetry.flac`), 10_000, "track row");
    db.close();
    expect(row.artist).toBe("Björk");
  });

  test("cp a 30 MiB file in: multipart, byte-equal on disk", async () => {
    const r = await sh(["cp", fx.large, join(mnt, ALBUM, "Long Mix.flac")]);
    expect(r.exitCode, describeRun(r)).toBe(0);
    expect(opCounts(r.requests), describeRun(r)).toMatchObject({ CreateMultipartUpload: 1, CompleteMultipartUpload: 1 });
    expect(await md5File(join(server.musicDir, ALBUM, "Long Mix.flac"))).toBe(await md5File(fx.large));
  });

  test("ls and cat through the mount: names, sizes and bytes", async () => {
    expect((await readdir(join(mnt, ALBUM))).sort()).toEqual(["03 Pagan Poetry.flac", "Long Mix.flac"]);
    const copy = join(fx.downloads, "back.flac");
    await copyFile(join(mnt, ALBUM, "Long Mix.flac"), copy);
    expect(await md5File(copy)).toBe(await md5File(fx.large));
  });

  test("files copied into music_dir by other programs show up in the mount", async () => {
    copyFileSync(FIXTURE, join(server.musicDir, ALBUM, "from-nas.flac"));
    await waitFor(async () => (await readdir(join(mnt, ALBUM))).includes("from-nas.flac"), 10_000, "listing through s3fs");
  });

  test("rm -r through the mount empties the music folder", async () => {
    must(await sh(["rm", "-r", join(mnt, "Björk")]));
    expect(filesUnder(server.musicDir)).toEqual({});
    expect(musicLeft(server.musicDir)).toEqual([]);
    expect(workLeftovers(server.musicDir)).toEqual([]);
  });
});
