/**
 * Long operations (Complete, copies): answered normally when quick, else a
 * 200 that sends whitespace until the document — or an error document — is
 * ready, as S3 does.
 */
import { describe, expect, test } from "bun:test";
import { XMLParser } from "fast-xml-parser";
import { keepAliveStream, settleSoon } from "../../src/http/keep-alive.ts";
import { respond } from "../../src/http/respond.ts";
import { xmlLater } from "../../src/http/result.ts";
import { S3Error } from "../../src/s3/errors.ts";

const quick = { answerAfterMs: 50, everyMs: 5 };
const after = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));

describe("settleSoon", () => {
  test("a quick document becomes a plain XML result", async () => {
    const r = await settleSoon(xmlLater("CopyObjectResult", Promise.resolve({ ETag: '"x"' })), quick);
    expect(r).toEqual({ kind: "xml", root: "CopyObjectResult", body: { ETag: '"x"' }, headers: undefined });
  });

  test("a quick failure throws, so it gets its real status", async () => {
    const failing = Promise.reject(new S3Error("InvalidPart"));
    await expect(settleSoon(xmlLater("CompleteMultipartUploadResult", failing), quick)).rejects.toMatchObject({ code: "InvalidPart", status: 400 });
  });

  test("a slow one stays pending", async () => {
    const r = await settleSoon(xmlLater("CompleteMultipartUploadResult", after(500, { ETag: '"x-2"' })), quick);
    expect(r.kind).toBe("xml-later");
  });
});

describe("keep-alive response", () => {
  test("declaration, then spaces, then the document; still well-formed XML", async () => {
    const text = await new Response(keepAliveStream(after(60, '<?xml version="1.0" encoding="UTF-8"?>\n<Done><ETag>e</ETag></Done>'), 5)).text();
    expect(text.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n ')).toBe(true);
    expect(text).toMatch(/\n +<Done><ETag>e<\/ETag><\/Done>$/);
    expect(new XMLParser().parse(text)).toEqual({ "?xml": "", Done: { ETag: "e" } });
  });

  test("an error after the 200 is an S3 error document in the body", async () => {
    const res = respond(xmlLater("CompleteMultipartUploadResult", after(20, null).then(() => Promise.reject(new S3Error("InsufficientStorage")))), "REQ1", "/music/a.flac");
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain("<Error><Code>InsufficientStorage</Code>");
    expect(text).toContain("<RequestId>REQ1</RequestId>");
    expect(text.match(/<\?xml/g)).toHaveLength(1);
  });

  test("an internal failure is reported as InternalError, never its details", async () => {
    const res = respond(xmlLater("CopyObjectResult", Promise.reject(new Error("EIO: secret detail"))), "REQ2", "/music/a.flac");
    const text = await res.text();
    expect(text).toContain("<Code>InternalError</Code>");
    expect(text).not.toContain("secret detail");
  });
});
