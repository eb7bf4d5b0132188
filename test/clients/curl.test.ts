/**
 * curl's own --aws-sigv4 against the built executable. Before 8.2 (Debian 12
 * ships 7.88) curl signs its query string verbatim instead of canonically,
 * which made every request with a sub-resource ("?delete", "?cors") or an
 * escaped query value fail with SignatureDoesNotMatch.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { executableCommand } from "../helpers/executable.ts";
import { ACCESS_KEY, SECRET_KEY, startServer, tempDir, type TestServer } from "../helpers/server.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ command: await executableCommand() });
});
afterAll(async () => {
  await server?.[Symbol.asyncDispose]();
});

function curl(args: string[]): { status: number; body: string } {
  const run = Bun.spawnSync(
    ["curl", "-sS", "--aws-sigv4", "aws:amz:us-east-1:s3", "--user", `${ACCESS_KEY}:${SECRET_KEY}`, "-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD", "-w", "\n%{http_code}", ...args],
    { stdout: "pipe", stderr: "pipe" },
  );
  const text = run.stdout.toString();
  const cut = text.lastIndexOf("\n");
  return { status: Number(text.slice(cut + 1)), body: text.slice(0, cut) };
}

const md5b64 = (text: string) => Buffer.from(new Bun.CryptoHasher("md5").update(text).digest()).toString("base64");

describe("curl --aws-sigv4", () => {
  test("is the curl this suite is about", () => {
    expect(Bun.spawnSync(["curl", "--version"]).stdout.toString()).toMatch(/^curl \d+\.\d+/);
  });

  test("PUT a file and GET it back byte-equal", () => {
    const file = join(tempDir("curl"), "song.mp3");
    writeFileSync(file, "sung by curl");
    expect(curl(["-T", file, `${server.url}/music/curl/song%20one.mp3`]).status).toBe(200);
    expect(readFileSync(join(server.musicDir, "curl", "song one.mp3"), "utf8")).toBe("sung by curl");
    expect(curl([`${server.url}/music/curl/song%20one.mp3`])).toEqual({ status: 200, body: "sung by curl" });
  });

  test("a listing with escaped query values", () => {
    const res = curl([`${server.url}/music?list-type=2&prefix=curl%2Fsong&delimiter=%2F`]);
    expect(res.status).toBe(200);
    expect(res.body).toContain("<Key>curl/song one.mp3</Key>");
  });

  test("sub-resources without a value: GetBucketCors and DeleteObjects", () => {
    expect(curl([`${server.url}/music?cors`]).status).toBe(200);
    const body = "<Delete><Object><Key>curl/song one.mp3</Key></Object></Delete>";
    const res = curl(["-X", "POST", "--data-binary", body, "-H", `Content-MD5: ${md5b64(body)}`, `${server.url}/music?delete`]);
    expect(res.status).toBe(200);
    expect(res.body).toContain("<Deleted><Key>curl/song one.mp3</Key></Deleted>");
    expect(existsSync(join(server.musicDir, "curl", "song one.mp3"))).toBe(false);
  });

  test("an override a header cannot carry is still InvalidArgument, not a signature error", () => {
    const res = curl([`${server.url}/music/curl/nothing.mp3?response-content-type=text/html%0D%0ASet-Cookie:x`]);
    expect(res.status).toBe(400);
    expect(res.body).toContain("<Code>InvalidArgument</Code>");
  });
});
