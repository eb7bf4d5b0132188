/**
 * Times for the sync-tool tests: local files with sub-second mtimes (real
 * files have them; whole seconds would hide any rounding), files copied into
 * the music folder with their times kept (`cp -p`, `rsync -t`), and the
 * object times the server lists.
 */
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { copyFileSync, mkdirSync, renameSync, statSync, utimesSync } from "node:fs";
import { dirname, join } from "node:path";
import { writePayload } from "./clients/fixture.ts";
import { sdkClient } from "./clients.ts";
import { type TestServer, waitFor } from "./server.ts";
import { treeEntries } from "./tree.ts";

/** Fractions of a second (ms) for successive files: mid-second and both ends, but not the first millisecond (see src/s3/object-time.ts). */
const FRACTIONS_MS = [616, 999, 2, 437, 500];
/** Old enough that any upload is newer; a different hour for each file. */
const BASE_MS = Date.parse("2024-03-01T12:00:00Z");

/** Files (not folders) below `dir`, sorted, as relative paths. */
export function filesIn(dir: string): string[] {
  return treeEntries(dir)
    .filter((e) => !e.st.isDirectory())
    .map((e) => e.rel)
    .sort();
}

/** Gives every file below `dir` its own old mtime with a sub-second fraction; returns relative path → mtime (ms). */
export function setFractionalMtimes(dir: string): Record<string, number> {
  const out: Record<string, number> = {};
  filesIn(dir).forEach((rel, i) => {
    const ms = BASE_MS + i * 3_600_000 + 17_000 + FRACTIONS_MS[i % FRACTIONS_MS.length]!;
    utimesSync(join(dir, rel), ms / 1000, ms / 1000);
    out[rel] = statSync(join(dir, rel)).mtimeMs;
  });
  return out;
}

/** Relative path → mtime in ms, as stat gives it (with its fraction). */
export function mtimesIn(dir: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const rel of filesIn(dir)) out[rel] = statSync(join(dir, rel)).mtimeMs;
  return out;
}

/** Key → LastModified (ms) of every object under `prefix`, from ListObjectsV2. */
export async function listedTimes(server: TestServer, prefix: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const s3 = sdkClient(server);
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: "music", Prefix: prefix, ContinuationToken: token }));
    for (const c of page.Contents ?? []) out[c.Key!] = c.LastModified!.getTime();
    token = page.NextContinuationToken;
  } while (token);
  return out;
}

/**
 * Copies the files below `src` into the music folder under `prefix`, mtimes
 * kept (as `cp -p` would), and waits until the server lists all of them.
 */
export async function copyIntoMusicKeepingTimes(server: TestServer, src: string, prefix: string): Promise<string[]> {
  const rels = filesIn(src);
  for (const rel of rels) {
    const dest = join(server.musicDir, prefix, rel);
    mkdirSync(dirname(dest), { recursive: true });
    // Under a name the server ignores until it has its final time, so the index never sees another one.
    const staging = `${dest}.part`;
    copyFileSync(join(src, rel), staging);
    const st = statSync(join(src, rel));
    utimesSync(staging, st.atimeMs / 1000, st.mtimeMs / 1000);
    renameSync(staging, dest);
  }
  const keys = rels.map((rel) => `${prefix}/${rel}`);
  await waitFor(
    async () => {
      const listed = await listedTimes(server, `${prefix}/`);
      return keys.every((k) => k in listed);
    },
    15_000,
    `the server to list ${keys.length} files copied in under ${prefix}/`,
  );
  return keys;
}

/**
 * A few files, with sub-second mtimes, in `<parent>/by-hand`: to be copied
 * into the music folder by hand (copyIntoMusicKeepingTimes), so a bucket
 * holds objects no S3 client wrote — without rclone's mtime metadata.
 */
export function handFiles(parent: string): string {
  const dir = join(parent, "by-hand");
  writePayload(join(dir, "Mùm/Finally We Are No One/01 Sleep.ogg"), 2_222, 31);
  writePayload(join(dir, "Mùm/Finally We Are No One/02 Green Grass of Tunnel.ogg"), 3_333, 32);
  setFractionalMtimes(dir);
  return dir;
}
