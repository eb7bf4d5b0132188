/**
 * rawPathOf splits Request.url into the path and query as sent. Bun makes
 * Request.url absolute from the Host header, and leaves it relative
 * ("/music/k?x") when that header is missing (HTTP/1.0) or not a valid host:
 * the path is the same either way.
 */
import { expect, test } from "bun:test";
import { rawPathOf } from "../../src/s3/raw-target.ts";

test.each([
  ["http://127.0.0.1:9000/music/a%20b.mp3?uploadId=x&y", { rawPath: "/music/a%20b.mp3", rawQuery: "uploadId=x&y" }],
  ["https://music.example.lan/a.mp3", { rawPath: "/a.mp3", rawQuery: "" }],
  ["http://[::1]:9000/music?list-type=2", { rawPath: "/music", rawQuery: "list-type=2" }],
  ["http://127.0.0.1:9000", { rawPath: "/", rawQuery: "" }],
  ["/music/a.mp3?uploadId=x", { rawPath: "/music/a.mp3", rawQuery: "uploadId=x" }],
  ["/music/k", { rawPath: "/music/k", rawQuery: "" }],
  ["/music//double?q", { rawPath: "/music//double", rawQuery: "q" }],
  ["/", { rawPath: "/", rawQuery: "" }],
])("%p", (url, want) => {
  expect(rawPathOf(url)).toEqual(want);
});
