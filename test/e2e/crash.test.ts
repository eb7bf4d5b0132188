/**
 * A kill at any moment never leaves a partial file visible: the server is
 * SIGKILLed halfway through a large upload (a new key, and an overwrite),
 * then restarted on the same folder and database.
 */
import { expect, test } from "bun:test";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { sdkClient } from "../helpers/clients.ts";
import { signHeaders } from "../helpers/raw.ts";
import { startServer, waitFor } from "../helpers/server.ts";
import { leftovers } from "../helpers/tree.ts";

const TOTAL = 64 * 1024 ** 2;
const HALF = TOTAL / 2;

function tmpBytes(musicDir: string): number {
  return leftovers(musicDir).reduce((n, f) => n + statSync(join(musicDir, ".rockboxd-s3", "tmp", f)).size, 0);
}

test("SIGKILL halfway through uploads: nothing partial at the key, no leftovers after restart", async () => {
  const first = await startServer();
  const { home, musicDir } = first;
  writeFileSync(join(musicDir, "old.flac"), "the old, complete version");

  const sockets = await Promise.all(
    ["/music/Albums/new.flac", "/music/old.flac"].map(async (path) => {
      const headers = await signHeaders(first, { method: "PUT", path, headers: { "content-length": String(TOTAL) } });
      const head = `PUT ${path} HTTP/1.1\r\n` + Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join("\r\n") + "\r\n\r\n";
      const sock = connect(first.port, "127.0.0.1");
      sock.on("error", () => {});
      await new Promise<void>((r) => sock.once("connect", () => r()));
      sock.write(head);
      sock.write(new Uint8Array(HALF).fill(7));
      return sock;
    }),
  );
  // Both uploads are streaming into temp files: now pull the plug.
  await waitFor(() => tmpBytes(musicDir) >= 2 * HALF * 0.9, 20_000, "half of both uploads on disk");
  first.proc.kill("SIGKILL");
  await first.proc.exited;
  for (const s of sockets) s.destroy();

  expect(existsSync(join(musicDir, "Albums", "new.flac"))).toBe(false);
  expect(readFileSync(join(musicDir, "old.flac"), "utf8")).toBe("the old, complete version");
  expect(leftovers(musicDir).length).toBe(2);

  await using second = await startServer({ home });
  expect(leftovers(musicDir)).toEqual([]);
  const list = await sdkClient(second).send(new ListObjectsV2Command({ Bucket: "music" }));
  expect(list.Contents?.map((c) => [c.Key, c.Size])).toEqual([["old.flac", 25]]);
});
