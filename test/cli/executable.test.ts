/**
 * The product is one executable: build it with `bun run build` and use it
 * as a user would (no bun, no node_modules at run time).
 */
import { expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { bunS3 } from "../helpers/clients.ts";
import { builtExecutable } from "../helpers/executable.ts";
import { DEBUG_LOG, expectCompleteByKernel } from "../helpers/kernel-copy.ts";
import { ROOT, startServer, tempDir, waitFor, writeSettings } from "../helpers/server.ts";

test("bun run build makes a working dist/rockboxd-s3", async () => {
  const build = Bun.spawnSync(["bun", "run", "build"], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  expect(build.exitCode).toBe(0);
  // Run a copy from a folder with nothing else in it.
  const bin = join(tempDir("rbs3-bin"), "rockboxd-s3");
  copyFileSync(join(ROOT, "dist", "rockboxd-s3"), bin);
  const version = Bun.spawnSync([bin, "--version"]);
  expect(version.stdout.toString().trim()).toBe(`rockboxd-s3 ${pkg.version}`);

  const home = tempDir();
  writeSettings(home);
  mkdirSync(join(home, "Music"));
  await using server = await startServer({ home, command: [bin] });
  const s3 = bunS3(server);
  await s3.write("from-binary.flac", "hello from the executable");
  expect(readFileSync(join(server.musicDir, "from-binary.flac"), "utf8")).toBe("hello from the executable");
  expect(await s3.file("from-binary.flac").text()).toBe("hello from the executable");

  // The library inside the executable reads tags (music-metadata is loaded on first use)...
  await s3.write("Björk/tagged.flac", Bun.file(join(ROOT, "test", "fixtures", "audio", "tagged.flac")));
  const db = new Database(server.dbPath, { readonly: true });
  const row = await waitFor(() => db.query<{ artist: string; album: string }, []>("SELECT artist, album FROM track WHERE rel_path = 'Björk/tagged.flac'").get(), 10_000, "tagged row");
  db.close();
  expect(row).toEqual({ artist: "Björk", album: "Vespertine — 東京" });
  // ...on its tag worker thread: build.ts bundles it as a second entrypoint (else the pool logs this and parses inline).
  expect(server.stderr()).not.toContain("tag worker failed");
}, 120_000);

test("the executable assembles a multipart upload with copy_file_range (bun:ffi finds libc.so.6)", async () => {
  await using server = await startServer({ command: [await builtExecutable()], env: DEBUG_LOG });
  await expectCompleteByKernel(server);
}, 120_000);
