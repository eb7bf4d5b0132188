/**
 * One page of ListMultipartUploads over the manifests of the uploads in
 * progress (a handful, so they are read and sorted in memory): key order,
 * then initiation time, with key-marker / upload-id-marker, prefix and
 * delimiter as S3 has them.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListMultipartUploads.html
 */
import { compareUtf8 } from "../../text/utf8-order.ts";
import type { Manifest } from "./upload-dir.ts";

export interface UploadListQuery {
  prefix: string;
  delimiter: string;
  keyMarker: string;
  /** Only with keyMarker: continue after this upload of that key. */
  uploadIdMarker: string;
  maxUploads: number;
}

export interface UploadListPage {
  uploads: Manifest[];
  commonPrefixes: string[];
  isTruncated: boolean;
  nextKeyMarker: string | null;
  nextUploadIdMarker: string | null;
}

function byKeyThenAge(a: Manifest, b: Manifest): number {
  return compareUtf8(a.key, b.key) || a.initiatedMs - b.initiatedMs || compareUtf8(a.uploadId, b.uploadId);
}

export function listUploadsPage(all: readonly Manifest[], q: UploadListQuery): UploadListPage {
  const sorted = all.filter((m) => m.key.startsWith(q.prefix)).sort(byKeyThenAge);
  let start = 0;
  if (q.keyMarker !== "") {
    const marker = q.uploadIdMarker ? sorted.find((m) => m.key === q.keyMarker && m.uploadId === q.uploadIdMarker) : undefined;
    start = sorted.findIndex((m) =>
      marker ? byKeyThenAge(m, marker) > 0 : compareUtf8(m.key, q.keyMarker) > 0 || (m.key === q.keyMarker && q.uploadIdMarker !== "" && compareUtf8(m.uploadId, q.uploadIdMarker) > 0),
    );
    if (start < 0) start = sorted.length;
  }
  type Entry = { upload: Manifest } | { prefix: string };
  const entries: Entry[] = [];
  for (const m of sorted.slice(start)) {
    if (entries.length > q.maxUploads) break;
    const cut = q.delimiter ? m.key.indexOf(q.delimiter, q.prefix.length) : -1;
    if (cut < 0) {
      entries.push({ upload: m });
      continue;
    }
    const prefix = m.key.slice(0, cut + q.delimiter.length);
    const last = entries.at(-1);
    if ((!last || !("prefix" in last) || last.prefix !== prefix) && compareUtf8(prefix, q.keyMarker) > 0) entries.push({ prefix });
  }
  const isTruncated = entries.length > q.maxUploads;
  const page = entries.slice(0, q.maxUploads);
  const lastEntry = page.at(-1);
  return {
    uploads: page.flatMap((e) => ("upload" in e ? [e.upload] : [])),
    commonPrefixes: page.flatMap((e) => ("prefix" in e ? [e.prefix] : [])),
    isTruncated,
    nextKeyMarker: lastEntry === undefined ? null : "upload" in lastEntry ? lastEntry.upload.key : lastEntry.prefix,
    nextUploadIdMarker: lastEntry !== undefined && "upload" in lastEntry ? lastEntry.upload.uploadId : null,
  };
}
