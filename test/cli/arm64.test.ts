/**
 * The Raspberry Pi build: cross-compiled for linux-arm64 and run under
 * qemu-user emulation (installed by .ci/run), serving a real upload, a
 * multipart one assembled by copy_file_range through bun:ffi, and a tagged
 * one whose tags the bundled tag worker reads.
 */
import { expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { copyFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import pkg from "../../package.json" with { type: "json" };
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

  // A tagged upload gets its tags (read inline: no worker runs yet); a file
  // copied in by another program is read on the tag worker thread bundled
  // into the arm64 build.
  await s3.write("pi/tagged.ogg", Bun.file(join(ROOT, "test", "fixtures", "audio", "tagged.ogg")));
  copyFileSync(join(ROOT, "test", "fixtures", "audio", "tagged.flac"), join(server.musicDir, "pi", "copied.flac"));
  const db = new Database(server.dbPath, { readonly: true });
  const tagsOf = (rel: string) => db.query<{ artist: string; album: string }, [string]>("SELECT artist, album FROM track WHERE rel_path = ?").get(rel);
  const uploaded = await waitFor(() => tagsOf("pi/tagged.ogg"), 60_000, "uploaded row");
  const copied = await waitFor(() => tagsOf("pi/copied.flac"), 60_000, "copied row");
  db.close();
  expect(uploaded).toEqual({ artist: "Björk", album: "Vespertine — 東京" });
  expect(copied?.artist).toBe("Björk");
  expect(server.stderr()).toContain("tag worker started");
  expect(server.stderr()).not.toContain("tag worker failed");
}, 180_000);
