/**
 * Where a listing resumes: V1 `marker` and V2 `start-after` (and the
 * continuation token) with and without a delimiter, when they fall inside a
 * folder the delimiter rolls up. The rule is AWS's, from the ListObjectsV2
 * reference (Delimiter): "CommonPrefixes is filtered out from results if it
 * is not lexicographically greater than the StartAfter value"; keys that roll
 * into such a prefix are not listed either, since rolled-up keys are "not
 * returned elsewhere in the response". ceph/s3-tests' delimiter tests (run
 * against AWS) pin the NextMarker case: a marker equal to a common prefix
 * resumes after the whole folder.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
 */
import { describe, expect, test } from "bun:test";
import { ListObjectsCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { serverForSuite } from "../helpers/suite.ts";

const suite = serverForSuite();

// The server takes audio files only, hence ".mp3". "a0.mp3" sorts after
// the folder "a/" ("/" is 0x2F, "0" is 0x30) and before "b/".
const KEYS = ["a/b.mp3", "a/c.mp3", "a/d/e.mp3", "a0.mp3", "b/x.mp3", "c.mp3"];

interface Case {
  prefix?: string;
  delimiter?: string;
  after: string;
  keys: string[];
  prefixes: string[];
}

const CASES: Case[] = [
  // No delimiter: every key after `after`; a key equal to it is not listed.
  { after: "a/b.mp3", keys: ["a/c.mp3", "a/d/e.mp3", "a0.mp3", "b/x.mp3", "c.mp3"], prefixes: [] },
  { after: "a/", keys: KEYS, prefixes: [] },
  { after: "c.mp3", keys: [], prefixes: [] },
  // Delimiter: a folder is listed only when it sorts after `after`.
  { delimiter: "/", after: "", keys: ["a0.mp3", "c.mp3"], prefixes: ["a/", "b/"] },
  { delimiter: "/", after: "a", keys: ["a0.mp3", "c.mp3"], prefixes: ["a/", "b/"] },
  { delimiter: "/", after: "a/", keys: ["a0.mp3", "c.mp3"], prefixes: ["b/"] },
  // Inside a folder: "a/" sorts before each of these, so it is left out although a/c.mp3 follows most of them.
  { delimiter: "/", after: "a/b.mp3", keys: ["a0.mp3", "c.mp3"], prefixes: ["b/"] },
  { delimiter: "/", after: "a/b", keys: ["a0.mp3", "c.mp3"], prefixes: ["b/"] },
  { delimiter: "/", after: "a/c.mp3", keys: ["a0.mp3", "c.mp3"], prefixes: ["b/"] },
  { delimiter: "/", after: "a/zzz", keys: ["a0.mp3", "c.mp3"], prefixes: ["b/"] },
  { delimiter: "/", after: "a0.mp3", keys: ["c.mp3"], prefixes: ["b/"] },
  { delimiter: "/", after: "b/x.mp3", keys: ["c.mp3"], prefixes: [] },
  { delimiter: "/", after: "c.mp3", keys: [], prefixes: [] },
  // Prefix and delimiter: the same rule one level down.
  { prefix: "a/", delimiter: "/", after: "", keys: ["a/b.mp3", "a/c.mp3"], prefixes: ["a/d/"] },
  { prefix: "a/", delimiter: "/", after: "a/b.mp3", keys: ["a/c.mp3"], prefixes: ["a/d/"] },
  { prefix: "a/", delimiter: "/", after: "a/d", keys: [], prefixes: ["a/d/"] },
  { prefix: "a/", delimiter: "/", after: "a/d/", keys: [], prefixes: [] },
  { prefix: "a/", delimiter: "/", after: "a/d/e.mp3", keys: [], prefixes: [] },
  // `after` before the prefix starts at the prefix; after it, nothing.
  { prefix: "a/", delimiter: "/", after: "0", keys: ["a/b.mp3", "a/c.mp3"], prefixes: ["a/d/"] },
  { prefix: "a/", delimiter: "/", after: "b", keys: [], prefixes: [] },
];

const names = (page: { Contents?: { Key?: string }[]; CommonPrefixes?: { Prefix?: string }[] }) => ({
  keys: (page.Contents ?? []).map((c) => c.Key!),
  prefixes: (page.CommonPrefixes ?? []).map((p) => p.Prefix!),
});

const title = (c: Case) => `prefix ${JSON.stringify(c.prefix ?? "")}, delimiter ${JSON.stringify(c.delimiter ?? "")}, after ${JSON.stringify(c.after)}`;

describe("start-after and marker inside a rolled-up folder", () => {
  test("seed", async () => {
    for (const Key of KEYS) await suite.s3.send(new PutObjectCommand({ Bucket: "music", Key, Body: Key }));
  });

  test.each(CASES.map((c) => [title(c), c] as const))("V2 start-after, %s", async (_, c) => {
    const page = await suite.s3.send(
      new ListObjectsV2Command({ Bucket: "music", Prefix: c.prefix, Delimiter: c.delimiter, StartAfter: c.after || undefined }),
    );
    expect(names(page)).toEqual({ keys: c.keys, prefixes: c.prefixes });
    expect(page.KeyCount).toBe(c.keys.length + c.prefixes.length);
  });

  test.each(CASES.map((c) => [title(c), c] as const))("V1 marker, %s", async (_, c) => {
    const page = await suite.s3.send(
      new ListObjectsCommand({ Bucket: "music", Prefix: c.prefix, Delimiter: c.delimiter, Marker: c.after || undefined }),
    );
    expect(names(page)).toEqual({ keys: c.keys, prefixes: c.prefixes });
  });

  test("V2 pages of one: a continuation token after a common prefix skips the whole folder", async () => {
    const pages: ReturnType<typeof names>[] = [];
    let token: string | undefined;
    do {
      const page = await suite.s3.send(new ListObjectsV2Command({ Bucket: "music", Delimiter: "/", MaxKeys: 1, ContinuationToken: token }));
      pages.push(names(page));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token && pages.length < 10); // a token that does not move on must fail, not loop
    expect(pages).toEqual([
      { keys: [], prefixes: ["a/"] },
      { keys: ["a0.mp3"], prefixes: [] },
      { keys: [], prefixes: ["b/"] },
      { keys: ["c.mp3"], prefixes: [] },
    ]);
  });

  test("V2 pages of one from inside a folder: start-after stays, the token moves on", async () => {
    const first = await suite.s3.send(new ListObjectsV2Command({ Bucket: "music", Delimiter: "/", MaxKeys: 1, StartAfter: "a/b.mp3" }));
    expect({ ...names(first), truncated: first.IsTruncated }).toEqual({ keys: ["a0.mp3"], prefixes: [], truncated: true });
    const second = await suite.s3.send(
      new ListObjectsV2Command({ Bucket: "music", Delimiter: "/", MaxKeys: 1, StartAfter: "a/b.mp3", ContinuationToken: first.NextContinuationToken }),
    );
    expect({ ...names(second), startAfter: second.StartAfter, truncated: second.IsTruncated }).toEqual({
      keys: [],
      prefixes: ["b/"],
      startAfter: "a/b.mp3",
      truncated: true,
    });
  });

  test("V1 pages of one: NextMarker is the common prefix, and using it skips the folder", async () => {
    const pages: (ReturnType<typeof names> & { next?: string })[] = [];
    let marker: string | undefined;
    do {
      const page = await suite.s3.send(new ListObjectsCommand({ Bucket: "music", Delimiter: "/", MaxKeys: 1, Marker: marker }));
      pages.push({ ...names(page), next: page.NextMarker });
      marker = page.IsTruncated ? page.NextMarker : undefined;
    } while (marker && pages.length < 10);
    expect(pages).toEqual([
      { keys: [], prefixes: ["a/"], next: "a/" },
      { keys: ["a0.mp3"], prefixes: [], next: "a0.mp3" },
      { keys: [], prefixes: ["b/"], next: "b/" },
      { keys: ["c.mp3"], prefixes: [], next: undefined },
    ]);
  });

  test("V1 pages of one under a prefix", async () => {
    const pages: (ReturnType<typeof names> & { next?: string })[] = [];
    let marker: string | undefined;
    do {
      const page = await suite.s3.send(new ListObjectsCommand({ Bucket: "music", Prefix: "a/", Delimiter: "/", MaxKeys: 1, Marker: marker }));
      pages.push({ ...names(page), next: page.NextMarker });
      marker = page.IsTruncated ? page.NextMarker : undefined;
    } while (marker && pages.length < 10);
    expect(pages).toEqual([
      { keys: ["a/b.mp3"], prefixes: [], next: "a/b.mp3" },
      { keys: ["a/c.mp3"], prefixes: [], next: "a/c.mp3" },
      { keys: [], prefixes: ["a/d/"], next: undefined },
    ]);
  });
});
