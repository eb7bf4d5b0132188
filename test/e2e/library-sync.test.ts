/**
 * The library follows the music folder whoever changes it: uploads and
 * deletes through S3, files copied in or removed by other programs, changes
 * made while the server was stopped. Checked through the real server, its
 * SQLite file on disk, GetObjectTagging and the `library` command.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { DeleteObjectCommand, GetObjectTaggingCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { Database } from "bun:sqlite";
import { copyFileSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { sdkClient } from "../helpers/clients.ts";
import { MAIN, startServer, type TestServer, waitFor } from "../helpers/server.ts";

const FIXTURES = join(import.meta.dir, "..", "fixtures", "audio");
const fixture = (name: string) => readFileSync(join(FIXTURES, name));

let server: TestServer;
let s3: S3Client;
let db: Database;

beforeAll(async () => {
  server = await startServer();
  s3 = sdkClient(server);
  db = new Database(server.dbPath, { readonly: true });
});
afterAll(async () => {
  db?.close();
  await server?.[Symbol.asyncDispose]();
});

interface Track {
  id: number;
  title: string;
  artist: string;
  album: string;
  year: number | null;
}
const track = (rel: string) =>
  db.query<Track, [string]>("SELECT t.id, t.title, t.artist, t.album, t.year FROM track t WHERE t.rel_path = ?").get(rel);
const keys = async (Prefix: string) =>
  ((await s3.send(new ListObjectsV2Command({ Bucket: "music", Prefix }))).Contents ?? []).map((c) => c.Key);

describe("through S3", () => {
  test("an upload is a track with its tags, shown as S3 tags too", async () => {
    await s3.send(new PutObjectCommand({ Bucket: "music", Key: "Björk/Vespertine/03 Pagan Poetry.flac", Body: fixture("tagged.flac") }));
    const row = await waitFor(() => track("Björk/Vespertine/03 Pagan Poetry.flac"), 5000, "track row");
    expect({ ...row, id: 0 }).toEqual({ id: 0, title: "Pagan Poetry — café", artist: "Björk", album: "Vespertine — 東京", year: 2001 });
    const tags = await s3.send(new GetObjectTaggingCommand({ Bucket: "music", Key: "Björk/Vespertine/03 Pagan Poetry.flac" }));
    expect(Object.fromEntries(tags.TagSet!.map((t) => [t.Key, t.Value]))).toEqual({
      artist: "Björk",
      album: "Vespertine — 東京",
      title: "Pagan Poetry — café",
      genre: "Électronique",
      year: "2001",
    });
  });

  test("an overwrite with other tags keeps the track id; a delete removes the track, its album and artist", async () => {
    const key = "retag/song.mp3";
    await s3.send(new PutObjectCommand({ Bucket: "music", Key: key, Body: fixture("tagged.mp3") }));
    const before = await waitFor(() => track(key), 5000, "first row");
    await s3.send(new PutObjectCommand({ Bucket: "music", Key: key, Body: fixture("other.mp3") }));
    const after = await waitFor(() => (track(key)?.artist === "Sigur Rós" ? track(key) : null), 5000, "re-tagged row");
    expect(after.id).toBe(before.id);
    expect(after.album).toBe("Ágætis byrjun");

    await s3.send(new DeleteObjectCommand({ Bucket: "music", Key: key }));
    await waitFor(() => track(key) === null, 5000, "row removed");
    const albums = db.query<{ n: number }, [string]>("SELECT count(*) AS n FROM album WHERE title = ?").get("Ágætis byrjun");
    const artists = db.query<{ n: number }, [string]>("SELECT count(*) AS n FROM artist WHERE name = ?").get("Sigur Rós");
    expect([albums?.n, artists?.n]).toEqual([0, 0]);
  });
});

describe("by other programs", () => {
  test("cp in → listed and indexed; rm → gone from both", async () => {
    mkdirSync(join(server.musicDir, "copied"), { recursive: true });
    copyFileSync(join(FIXTURES, "tagged.ogg"), join(server.musicDir, "copied", "a.ogg"));
    await waitFor(() => track("copied/a.ogg"), 5000, "copied file indexed");
    expect(await keys("copied/")).toEqual(["copied/a.ogg"]);
    rmSync(join(server.musicDir, "copied", "a.ogg"));
    await waitFor(() => track("copied/a.ogg") === null, 5000, "removed file dropped");
    // The folder is still there, empty: S3 shows it as a folder marker.
    await waitFor(async () => JSON.stringify(await keys("copied")) === JSON.stringify(["copied/"]), 5000, "empty folder listed");
  });

  test("mv of a whole folder: rows and listing follow", async () => {
    mkdirSync(join(server.musicDir, "old-name"), { recursive: true });
    copyFileSync(join(FIXTURES, "tagged.mp3"), join(server.musicDir, "old-name", "x.mp3"));
    const before = await waitFor(() => track("old-name/x.mp3"), 5000, "indexed");
    renameSync(join(server.musicDir, "old-name"), join(server.musicDir, "new-name"));
    const after = await waitFor(() => track("new-name/x.mp3"), 5000, "moved row");
    expect(after.id).toBe(before.id);
    expect(track("old-name/x.mp3")).toBeNull();
    await waitFor(async () => JSON.stringify(await keys("new-name/")) === JSON.stringify(["new-name/x.mp3"]), 5000, "listing follows");
    expect(await keys("old-name")).toEqual([]);
  });
});

test("changes made while stopped are reconciled at start, in the library and the listing", async () => {
  await using first = await startServer();
  const client = sdkClient(first);
  await client.send(new PutObjectCommand({ Bucket: "music", Key: "stays.mp3", Body: fixture("tagged.mp3") }));
  await client.send(new PutObjectCommand({ Bucket: "music", Key: "goes.mp3", Body: fixture("tagged.mp3") }));
  const local = new Database(first.dbPath, { readonly: true });
  await waitFor(() => local.query("SELECT count(*) AS n FROM track").get() as { n: number } | null, 5000);
  await waitFor(() => (local.query("SELECT count(*) AS n FROM track").get() as { n: number }).n === 2, 5000, "two rows");
  local.close();
  expect(await first.stop()).toBe(0);

  rmSync(join(first.musicDir, "goes.mp3"));
  copyFileSync(join(FIXTURES, "tagged.wma"), join(first.musicDir, "arrived.wma"));

  await using second = await startServer({ home: first.home });
  const again = sdkClient(second);
  await waitFor(async () => {
    const list = (await again.send(new ListObjectsV2Command({ Bucket: "music" }))).Contents?.map((c) => c.Key);
    return JSON.stringify(list) === JSON.stringify(["arrived.wma", "stays.mp3"]);
  }, 5000, "listing reconciled");
  const cli = () => {
    const p = Bun.spawnSync(["bun", MAIN, "library", "tracks", "--json", "--db", second.dbPath], { env: { ...process.env, HOME: second.home } });
    return JSON.parse(p.stdout.toString()) as { path: string; artist: string; length: number }[];
  };
  const rows = await waitFor(() => (cli().length === 2 ? cli() : null), 5000, "library reconciled");
  expect(rows.map((r) => r.path).sort()).toEqual([join(second.musicDir, "arrived.wma"), join(second.musicDir, "stays.mp3")]);
  expect(rows.every((r) => r.artist === "Björk" && r.length > 0)).toBe(true);
});
