/**
 * s3-sync-client (npm, v4) with its defaults, against the built executable:
 * it decides from size and time alone — a source newer than the target is
 * sent again — with the local time from stat and the remote one from the
 * listing, and after a download it sets the file's mtime from GET's
 * Last-Modified. So every place must show the same whole-second time, and
 * uploads must never look older than the file they came from
 * (src/s3/object-time.ts). Local files have sub-second mtimes, as real ones do.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { S3SyncClient } from "s3-sync-client";
import { sdkClient } from "../helpers/clients.ts";
import { expectedSyncTree, makeFixture, md5File, SYNC_FILES, type Fixture } from "../helpers/clients/fixture.ts";
import { filesUnder, identities } from "../helpers/clients/music-folder.ts";
import { opCounts, type Recorder, recordingProxy, traced, writesIn } from "../helpers/clients/recorder.ts";
import { executableCommand } from "../helpers/executable.ts";
import { startServer, tempDir, type TestServer } from "../helpers/server.ts";
import { copyIntoMusicKeepingTimes, handFiles, listedTimes, mtimesIn, setFractionalMtimes } from "../helpers/sync-times.ts";

let server: TestServer;
/** The proxy clients talk to: it records what they send. */
let recorder: Recorder;
let fx: Fixture;
let sync: S3SyncClient["sync"];
/** Files that reach the bucket by hand, not through S3 (a copy with its times kept). */
let dropped: string;

const idsOf = (objects: { id: string }[]) => objects.map((o) => o.id).sort();

/** One sync: what it created and updated, and what the server saw meanwhile (reads and writes). */
async function syncRun(source: string, target: string) {
  const { value, requests } = await traced(recorder, () => sync(source, target));
  return {
    created: idsOf(value.created),
    updated: idsOf(value.updated),
    reads: opCounts(requests).GetObject ?? 0,
    writes: writesIn(requests),
  };
}
const NOTHING = { created: [], updated: [], reads: 0, writes: [] };

beforeAll(async () => {
  server = await startServer({ command: await executableCommand() });
  recorder = await recordingProxy(server);
  fx = makeFixture("s3-sync-client");
  setFractionalMtimes(fx.syncDir);
  dropped = handFiles(fx.dir);
  sync = new S3SyncClient({ client: sdkClient(recorder) }).sync;
}, 120_000);
afterAll(async () => {
  await recorder?.[Symbol.asyncDispose]();
  await server?.[Symbol.asyncDispose]();
  if (fx) rmSync(fx.dir, { recursive: true, force: true });
});

describe("s3-sync-client", () => {
  test("sync a folder up twice: the second run transfers nothing", async () => {
    const first = await syncRun(fx.syncDir, "s3://music/Sync");
    expect(first.created).toEqual(Object.keys(SYNC_FILES).map((rel) => `Sync/${rel}`).sort());
    expect(filesUnder(server.musicDir, "Sync")).toEqual(await expectedSyncTree(fx.syncDir, "Sync"));

    const before = identities(server.musicDir);
    expect(await syncRun(fx.syncDir, "s3://music/Sync")).toEqual(NOTHING);
    expect(identities(server.musicDir)).toEqual(before);
  }, 120_000);

  test("sync up onto copies that kept their sub-second times (cp -p): nothing is uploaded", async () => {
    await copyIntoMusicKeepingTimes(server, fx.syncDir, "Kept");
    const before = identities(server.musicDir);
    expect(await syncRun(fx.syncDir, "s3://music/Kept")).toEqual(NOTHING);
    expect(identities(server.musicDir)).toEqual(before);
  }, 60_000);

  test("sync down twice into an empty folder: the second run transfers nothing", async () => {
    // Besides its own uploads, the bucket holds files that came in by hand, with sub-second mtimes.
    const droppedKeys = await copyIntoMusicKeepingTimes(server, dropped, "Sync/By Hand");
    const down = tempDir("s3-sync-client-down");
    const expected = Object.keys(SYNC_FILES).concat(droppedKeys.map((k) => k.slice("Sync/".length))).sort();

    const first = await syncRun("s3://music/Sync", down);
    expect(first.created).toEqual(expected);
    for (const rel of expected) expect(await md5File(join(down, rel))).toBe(filesUnder(server.musicDir, "Sync")[`Sync/${rel}`]!);
    // The downloaded files carry the object's time, which the listing shows too.
    const listed = await listedTimes(server, "Sync/");
    expect(mtimesIn(down)).toEqual(Object.fromEntries(expected.map((rel) => [rel, listed[`Sync/${rel}`] ?? NaN])));

    const before = identities(down);
    expect(await syncRun("s3://music/Sync", down)).toEqual(NOTHING);
    expect(identities(down)).toEqual(before);

    // And back up: a folder synced down is up to date with the bucket.
    expect(await syncRun(down, "s3://music/Sync")).toEqual(NOTHING);
    rmSync(down, { recursive: true, force: true });
  }, 120_000);
});
