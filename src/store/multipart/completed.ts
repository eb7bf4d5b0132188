/**
 * What a finished CompleteMultipartUpload answered, kept for a while in
 * .rockboxd-s3/multipart/.completed/<uploadId>.json. S3 answers a repeated
 * Complete with the same parts with the same result, and clients depend on
 * it: the AWS SDKs retry a Complete whose response was lost to a timeout, and
 * a NoSuchUpload then would fail an upload that in fact succeeded.
 */
import { mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import type { ChecksumType } from "../../s3/multipart-checksum.ts";
import { isUploadId, namesIn, writeJsonAtomic } from "./upload-dir.ts";

export interface CompletedUpload {
  key: string;
  etag: string;
  checksums: Record<string, string> | null;
  checksumType: ChecksumType | null;
}

interface Marker extends CompletedUpload {
  /** Which part list produced it: a retry must name the same parts. */
  parts: string;
}

/** Part numbers and ETags, hashed: the same list gives the same string. */
export function partsFingerprint(parts: ReadonlyArray<{ partNumber: number; etag: string }>): string {
  const sha = new Bun.CryptoHasher("sha256");
  for (const p of parts) sha.update(`${p.partNumber}:${p.etag}\n`);
  return sha.digest("hex");
}

export class CompletedMarkers {
  constructor(readonly dir: string) {}

  private pathOf(uploadId: string): string {
    return join(this.dir, `${uploadId}.json`);
  }

  /** The earlier result for this upload and this part list; null if there is none. */
  find(uploadId: string, key: string, parts: string): CompletedUpload | null {
    let marker: Marker;
    try {
      marker = JSON.parse(readFileSync(this.pathOf(uploadId), "utf8")) as Marker;
    } catch {
      return null;
    }
    if (marker.key !== key || marker.parts !== parts) return null;
    return { key: marker.key, etag: marker.etag, checksums: marker.checksums, checksumType: marker.checksumType };
  }

  record(uploadId: string, parts: string, result: CompletedUpload): void {
    mkdirSync(this.dir, { recursive: true });
    writeJsonAtomic(this.pathOf(uploadId), { ...result, parts } satisfies Marker);
  }

  /** Removes markers older than `maxAgeMs`; returns how many. */
  sweep(maxAgeMs: number, nowMs: number): number {
    let removed = 0;
    for (const name of namesIn(this.dir)) {
      const path = join(this.dir, name);
      try {
        const stale = nowMs - statSync(path).mtimeMs > maxAgeMs;
        if (stale || !isUploadId(name.replace(/\.json$/, ""))) {
          rmSync(path, { force: true });
          removed++;
        }
      } catch {
        // Gone meanwhile.
      }
    }
    return removed;
  }
}
