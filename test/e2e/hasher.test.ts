/**
 * Files added by other programs get a stable provisional ETag at once (it
 * has a "-", so no client compares it with an MD5) and their real MD5 soon
 * after, from the background hasher.
 */
import { describe, expect, test } from "bun:test";
import { HeadObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { quotedMd5 as md5 } from "../helpers/bytes.ts";
import { sdkClient } from "../helpers/clients.ts";
import { startServer, tempDir, waitFor, writeSettings } from "../helpers/server.ts";
import { serverForSuite } from "../helpers/suite.ts";

const t = serverForSuite();

const etagOf = async (client: S3Client, Key: string) => (await client.send(new HeadObjectCommand({ Bucket: "music", Key }))).ETag!;

describe("background hasher", () => {
  test("a file copied in: provisional ETag first, its MD5 soon after, everywhere", async () => {
    const content = new Uint8Array(3 * 1024 * 1024).map((_, i) => i % 253);
    mkdirSync(join(t.server.musicDir, "Dropped"), { recursive: true });
    writeFileSync(join(t.server.musicDir, "Dropped", "by hand.flac"), content);
    const first = await etagOf(t.s3, "Dropped/by hand.flac");
    expect(first).toMatch(/^"[0-9a-f]{32}-1"$/);
    // Stable: the same provisional ETag until the MD5 replaces it.
    expect([first, md5(content)]).toContain(await etagOf(t.s3, "Dropped/by hand.flac"));
    await waitFor(async () => (await etagOf(t.s3, "Dropped/by hand.flac")) === md5(content), 10_000, "the MD5 ETag");
    const list = await t.s3.send(new ListObjectsV2Command({ Bucket: "music", Prefix: "Dropped/" }));
    expect(list.Contents?.map((c) => [c.Key, c.ETag])).toEqual([["Dropped/by hand.flac", md5(content)]]);
  });

  test("a file changed after it was indexed gets the MD5 of its new bytes", async () => {
    writeFileSync(join(t.server.musicDir, "changing.mp3"), "version one");
    await etagOf(t.s3, "changing.mp3");
    writeFileSync(join(t.server.musicDir, "changing.mp3"), "version two, longer");
    await waitFor(async () => (await etagOf(t.s3, "changing.mp3")) === md5("version two, longer"), 10_000, "the new MD5");
  });

  test("files present at startup are hashed too; stop() ends the hasher cleanly", async () => {
    const home = tempDir();
    writeSettings(home);
    mkdirSync(join(home, "Music", "Old"), { recursive: true });
    const files = Array.from({ length: 5 }, (_, i) => [`Old/${i}.ogg`, `old file ${i}`] as const);
    for (const [rel, text] of files) writeFileSync(join(home, "Music", rel), text);
    writeFileSync(join(home, "Music", "Old", "big.wav"), new Uint8Array(64 * 1024 * 1024));
    await using started = await startServer({ home });
    const client = sdkClient(started);
    for (const [rel, text] of files) await waitFor(async () => (await etagOf(client, rel)) === md5(text), 10_000, `the MD5 of ${rel}`);
    expect(await started.stop()).toBe(0);
  }, 30_000);
});
