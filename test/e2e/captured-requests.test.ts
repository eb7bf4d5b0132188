/**
 * The seven findings of an attacker's run on the LAN, each over a raw socket:
 * a captured request cannot be altered, and no input breaks an answer. Every
 * refused request leaves the music folder as it was.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { XMLValidator } from "fast-xml-parser";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { errorCode, rawRequest, signHeaders, type RawRequest, type RawResponse } from "../helpers/raw.ts";
import { ACCESS_KEY, SECRET_KEY, startServer, type TestServer, waitFor } from "../helpers/server.ts";
import { snapshot } from "../helpers/tree.ts";

let server: TestServer;

beforeAll(async () => {
  server = await startServer();
  mkdirSync(join(server.musicDir, "bad"), { recursive: true });
  for (let i = 0; i < 3; i++) writeFileSync(join(server.musicDir, "bad", `victim${i}.mp3`), `victim ${i}`);
  writeFileSync(join(server.musicDir, "bad", "other.mp3"), "the copy source");
});
afterAll(async () => {
  await server?.[Symbol.asyncDispose]();
});

const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

function expectWellFormed(body: string): void {
  expect(NOT_XML_CHAR.test(body)).toBe(false);
  expect(XMLValidator.validate(body)).toBe(true);
}

/** Status and code as expected, a well-formed error document, the folder unchanged. */
async function refused(req: RawRequest | (() => Promise<RawResponse>), status: number, code: string): Promise<RawResponse> {
  const before = snapshot(server.musicDir);
  const res = typeof req === "function" ? await req() : await rawRequest(server, req);
  expect({ status: res.status, code: errorCode(res.body) }).toEqual({ status, code });
  expectWellFormed(res.body);
  expect(snapshot(server.musicDir)).toEqual(before);
  return res;
}

const md5b64 = (text: string) => Buffer.from(new Bun.CryptoHasher("md5").update(text).digest()).toString("base64");

describe("1. unsigned x-amz-* headers are refused", () => {
  test("x-amz-copy-source added to a signed PUT does not make it a copy", async () => {
    const res = await refused(
      { method: "PUT", path: "/music/bad/new.mp3", body: "x", addedHeaders: { "x-amz-copy-source": "/music/bad/other.mp3" } },
      403,
      "AccessDenied",
    );
    expect(res.body).toContain("There were headers present in the request which were not signed");
    expect(res.body).toContain("<HeadersNotSigned>x-amz-copy-source</HeadersNotSigned>");
  });
  test("an unsigned x-amz-meta-* is not stored", async () => {
    await refused({ method: "PUT", path: "/music/bad/victim0.mp3", body: "new", addedHeaders: { "x-amz-meta-evil": "1" } }, 403, "AccessDenied");
  });
  test("the same rule holds for a presigned URL", async () => {
    const signer = new SignatureV4({
      credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY }, region: "us-east-1", service: "s3", sha256: Sha256,
    });
    const url = await signer.presign(
      new HttpRequest({ method: "PUT", hostname: "127.0.0.1", port: server.port, path: "/music/bad/presigned.mp3", headers: { host: `127.0.0.1:${server.port}`, "x-amz-content-sha256": "UNSIGNED-PAYLOAD" } }),
      { expiresIn: 300 },
    );
    const query = url.query as Record<string, string>;
    // The URL as issued works...
    const ok = await rawRequest(server, { method: "PUT", path: "/music/bad/presigned.mp3", query, unsigned: true, body: "shared" });
    expect(ok.status).toBe(200);
    // ...and cannot be turned into a copy.
    await refused(
      { method: "PUT", path: "/music/bad/presigned.mp3", query, unsigned: true, body: "x", addedHeaders: { "x-amz-copy-source": "/music/bad/other.mp3" } },
      403,
      "AccessDenied",
    );
    expect(readFileSync(join(server.musicDir, "bad", "presigned.mp3"), "utf8")).toBe("shared");
  });
});

describe("2. a character reference XML forbids is MalformedXML, never another key", () => {
  for (const ref of ["&#0;", "&#1;", "&#xD800;", "&#xFFFE;"]) {
    test(`DeleteObjects with vic${ref}tim0.mp3 deletes nothing`, async () => {
      const body = `<Delete><Object><Key>bad/vic${ref}tim0.mp3</Key></Object></Delete>`;
      await refused(
        { method: "POST", path: "/music", query: { delete: "" }, body, headers: { "content-md5": md5b64(body) } },
        400,
        "MalformedXML",
      );
    });
  }
  test("a DTD is refused before any expansion", async () => {
    const body = `<!DOCTYPE d [<!ENTITY v "victim1.mp3">]><Delete><Object><Key>bad/&v;</Key></Object></Delete>`;
    await refused({ method: "POST", path: "/music", query: { delete: "" }, body, headers: { "content-md5": md5b64(body) } }, 400, "MalformedXML");
  });
  test("an escaped reference is the literal text, decoded once", async () => {
    const body = `<Delete><Object><Key>bad/vic&amp;#0;tim1.mp3</Key></Object><Object><Key>bad/victim2.mp3</Key></Object></Delete>`;
    const res = await rawRequest(server, { method: "POST", path: "/music", query: { delete: "" }, body, headers: { "content-md5": md5b64(body) } });
    expect(res.status).toBe(200);
    expect(res.body).toContain("<Key>bad/vic&amp;#0;tim1.mp3</Key>");
    expect(readFileSync(join(server.musicDir, "bad", "victim1.mp3"), "utf8")).toBe("victim 1");
    writeFileSync(join(server.musicDir, "bad", "victim2.mp3"), "victim 2");
  });
});

describe("3. a response-* override a header cannot carry is InvalidArgument, not a 500", () => {
  for (const value of ["text/html\r\nSet-Cookie:x", "a\nb", "a\u0000b", "snow\u2603man"]) {
    test(JSON.stringify(value), async () => {
      await refused({ method: "GET", path: "/music/bad/other.mp3", query: { "response-content-type": value } }, 400, "InvalidArgument");
    });
  }
  test("a Latin-1 override is still served", async () => {
    const res = await rawRequest(server, { method: "GET", path: "/music/bad/other.mp3", query: { "response-content-disposition": "attachment; filename=\"caf\u00e9.mp3\"" } });
    expect(res.status).toBe(200);
  });
});

describe("4. an invalid percent-escape is InvalidURI, nothing created", () => {
  for (const escape of ["%zz", "%", "%4", "%4g"]) {
    test(`PUT /music/${escape}.mp3`, async () => {
      await refused({ method: "PUT", path: `/music/${escape}.mp3`, body: "x" }, 400, "InvalidURI");
    });
  }
  test("in the query too", async () => {
    await refused({ method: "GET", path: "/music?list-type=2&prefix=%zz", unsigned: true }, 400, "InvalidURI");
  });
});

describe("5. every answer is well-formed XML", () => {
  test("NUL and ESC in the path: InvalidObjectName, no raw control character echoed", async () => {
    await refused({ method: "PUT", path: "/music/a%00b.mp3", body: "x" }, 400, "InvalidObjectName");
    await refused({ method: "PUT", path: "/music/a%1Bb.mp3", body: "x" }, 400, "InvalidObjectName");
    await refused({ method: "GET", path: "/music/a%1Bb.mp3", unsigned: true }, 403, "AccessDenied");
  });
  for (const [name, value] of [["start-after", "\u0000"], ["delimiter", "\u0000"], ["prefix", "\u001b"], ["marker", "\u0007"]] as const) {
    test(`${name}=${JSON.stringify(value)} is InvalidArgument`, async () => {
      await refused({ method: "GET", path: "/music", query: { "list-type": "2", [name]: value } }, 400, "InvalidArgument");
    });
  }
  test("a file with a control character in its name, copied in by another program, is not an object", async () => {
    writeFileSync(join(server.musicDir, "bad", "esc\u001bape.mp3"), "invisible");
    writeFileSync(join(server.musicDir, "bad", "zz-visible.mp3"), "visible");
    const listed = await waitFor(async () => {
      const res = await rawRequest(server, { method: "GET", path: "/music", query: { "list-type": "2", prefix: "bad/" } });
      return res.body.includes("zz-visible.mp3") ? res : null;
    });
    expectWellFormed(listed.body);
    expect(listed.body).not.toContain("esc");
  });
});

describe("6. a client that hangs up mid-body is not an internal error", () => {
  test("ten aborted uploads leave no error in the log", async () => {
    for (let i = 0; i < 10; i++) {
      const path = `/music/bad/aborted${i}.mp3`;
      const headers = await signHeaders(server, { method: "PUT", path, headers: { "content-length": "100000" } });
      const head = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join("");
      await new Promise<void>((resolve) => {
        const sock = connect(server.port, "127.0.0.1", () => {
          sock.write(`PUT ${path} HTTP/1.1\r\n${head}\r\n`);
          sock.write("partial");
          setTimeout(() => sock.destroy(), 20);
        });
        sock.on("close", () => resolve());
        sock.on("error", () => resolve());
      });
    }
    const signed = await rawRequest(server, { method: "PUT", path: "/music/bad/ok.mp3", body: "ok" });
    expect(signed.status).toBe(200);
    expect(server.stderr()).not.toContain("internal error");
    expect(snapshot(server.musicDir)).not.toHaveProperty("bad/aborted0.mp3");
  });
});

// 7. (pipelining) is in test/e2e/hostile/framing.test.ts.
