/**
 * The Raspberry Pi build: cross-compiled for linux-arm64 and run under
 * qemu-user emulation (installed by .ci/run), serving a real upload, a
 * multipart one assembled by copy_file_range through bun:ffi, and a tagged
 * one whose tags the bundled tag worker reads.
 */
import { expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { copyFileSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { SMALL_BACKLOG } from "../../src/library/tag-pool.ts";
import { bunS3 } from "../helpers/clients.ts";
import { DEBUG_LOG, expectCompleteByKernel } from "../helpers/kernel-copy.ts";
import { ROOT, startServer, waitFor } from "../helpers/server.ts";

const QEMU = "/usr/bin/qemu-aarch64-static";

test("dist/rockboxd-s3-linux-arm64 runs and serves under emulation", async () => {
  expect(Bun.which(QEMU) ?? Bun.file(QEMU).size).toBeTruthy();
  const build = Bun.spawnSync(["bun", "run", "build", "--target", "linux-arm64"], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  expect(build.exitCode).toBe(0);
  const bin = join(ROOT, "dist", "rockboxd-s3-linux-arm64");
  const version = Bun.spawnSync([QEMU, "-L", "/", bin, "--version"]);
  expect(version.stdout.toString().trim()).toBe(`rockboxd-s3 ${pkg.version}`);

  await using server = await startServer({ command: [QEMU, "-L", "/", bin], env: DEBUG_LOG });
  const s3 = bunS3(server);
  await s3.write("pi/track.flac", "played on a Pi");
  expect(readFileSync(join(server.musicDir, "pi/track.flac"), "utf8")).toBe("played on a Pi");
  expect(await s3.file("pi/track.flac").text()).toBe("played on a Pi");
  await expectCompleteByKernel(server);

  // A tagged upload gets its tags (read inline: no worker runs yet); an
  // album moved in by another program is a backlog, read on the tag worker
  // thread bundled into the arm64 build.
  await s3.write("pi/tagged.ogg", Bun.file(join(ROOT, "test", "fixtures", "audio", "tagged.ogg")));
  const album = join(server.musicDir, "..", "album-outside");
  mkdirSync(album);
  const tracks = Array.from({ length: SMALL_BACKLOG + 4 }, (_, i) => `${String(i + 1).padStart(2, "0")}.flac`);
  for (const name of tracks) copyFileSync(join(ROOT, "test", "fixtures", "audio", "tagged.flac"), join(album, name));
  renameSync(album, join(server.musicDir, "pi", "album"));
  const db = new Database(server.dbPath, { readonly: true });
  const tagsOf = (rel: string) => db.query<{ artist: string; album: string }, [string]>("SELECT artist, album FROM track WHERE rel_path = ?").get(rel);
  const uploaded = await waitFor(() => tagsOf("pi/tagged.ogg"), 60_000, "uploaded row");
  const moved = await waitFor(() => db.query<{ n: number }, []>("SELECT count(*) AS n FROM track WHERE rel_path LIKE 'pi/album/%' AND artist = 'Björk'").get()!.n === tracks.length || undefined, 60_000, "the album's rows");
  db.close();
  expect(uploaded).toEqual({ artist: "Björk", album: "Vespertine — 東京" });
  expect(moved).toBe(true);
  expect(server.stderr()).toContain("tag worker started");
  expect(server.stderr()).not.toContain("tag worker failed");
}, 180_000);
