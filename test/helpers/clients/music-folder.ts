/** What a client's work left in the music folder, read straight from disk. */
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { sdkClient } from "../clients.ts";
import type { TestServer } from "../server.ts";
import { snapshot, treeEntries } from "../tree.ts";

/** Files (not folders) under `root`, relative path → MD5, our working folder excluded. */
export function filesUnder(root: string, prefix = ""): Record<string, string> {
  const base = prefix ? join(root, prefix) : root;
  if (!existsSync(base)) return {};
  const out: Record<string, string> = {};
  for (const [rel, v] of Object.entries(snapshot(base))) if (!rel.endsWith("/")) out[prefix ? `${prefix}/${rel}` : rel] = v;
  return out;
}

/** Relative path → "inode:mtime:size" for every file: proves a second sync rewrote nothing. */
export function identities(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { rel, st } of treeEntries(root)) if (!st.isDirectory()) out[rel] = `${st.ino}:${st.mtimeMs}:${st.size}`;
  return out;
}

/** Everything left in the music folder (files and folders), our working folder excluded. */
export function musicLeft(musicDir: string): string[] {
  return Object.keys(snapshot(musicDir)).sort();
}

/**
 * What is left in our working folder: in-progress uploads (tmp/) and open
 * multipart uploads (multipart/<uploadId>/) — none once every upload has
 * finished or been aborted. multipart/.completed/ (the answers kept for
 * retried CompleteMultipartUpload calls) is bookkeeping, not an upload.
 */
export function workLeftovers(musicDir: string): string[] {
  const out: string[] = [];
  for (const sub of ["tmp", "multipart"]) {
    const dir = join(musicDir, ".rockboxd-s3", sub);
    if (existsSync(dir)) out.push(...readdirSync(dir).filter((n) => !n.startsWith(".")).map((n) => `${sub}/${n}`));
  }
  return out.sort();
}

/** The ETag the server reports for a key (HEAD through the AWS SDK). */
export async function etagOf(server: TestServer, key: string): Promise<string | undefined> {
  return (await sdkClient(server).send(new HeadObjectCommand({ Bucket: "music", Key: key }))).ETag;
}
