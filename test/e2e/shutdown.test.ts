/** SIGTERM lets an upload in flight finish, then the process exits 0. */
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { signHeaders } from "../helpers/raw.ts";
import { startServer, waitFor } from "../helpers/server.ts";
import { leftovers } from "../helpers/tree.ts";

test("SIGTERM drains an in-flight upload and closes cleanly", async () => {
  await using server = await startServer();
  const size = 4 * 1024 * 1024;
  const path = "/music/draining.flac";
  const headers = await signHeaders(server, { method: "PUT", path, headers: { "content-length": String(size) } });
  const sock = connect(server.port, "127.0.0.1");
  await new Promise<void>((r) => sock.once("connect", () => r()));
  let response = "";
  sock.on("data", (d: Buffer) => (response += d.toString()));
  sock.write(`PUT ${path} HTTP/1.1\r\n` + Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join("\r\n") + "\r\n\r\n");
  sock.write(new Uint8Array(size / 2).fill(1));
  await waitFor(() => leftovers(server.musicDir).length === 1, 10_000, "upload in progress");

  server.proc.kill("SIGTERM");
  // The server keeps the request it is serving; send the rest.
  sock.write(new Uint8Array(size / 2).fill(1));
  await waitFor(() => response.includes("\r\n\r\n"), 10_000, "response");
  expect(response).toStartWith("HTTP/1.1 200");
  expect(await server.proc.exited).toBe(0);
  expect(readFileSync(join(server.musicDir, "draining.flac")).length).toBe(size);
  expect(leftovers(server.musicDir)).toEqual([]);
  sock.destroy();
});
