/**
 * Conditional requests with RFC 7232 §6 precedence: If-Match, then
 * If-Unmodified-Since (only without If-Match), then If-None-Match, then
 * If-Modified-Since (only without If-None-Match; GET/HEAD and copies only).
 * CopyObject's x-amz-copy-source-if-* follow the same order, but every
 * failure is 412, never 304:
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html
 */
import { S3Error } from "./errors.ts";
import { objectTime } from "./object-time.ts";

export interface Validators {
  etag: string;
  /** The file's mtime; compared as the object's time (object-time.ts), as Last-Modified shows it. */
  lastModifiedMs: number;
}

export interface Conditions {
  ifMatch: string | null;
  ifNoneMatch: string | null;
  ifModifiedSince: string | null;
  ifUnmodifiedSince: string | null;
}

export function conditionsFrom(headers: Headers, prefix = ""): Conditions {
  return {
    ifMatch: headers.get(`${prefix}if-match`),
    ifNoneMatch: headers.get(`${prefix}if-none-match`),
    ifModifiedSince: headers.get(`${prefix}if-modified-since`),
    ifUnmodifiedSince: headers.get(`${prefix}if-unmodified-since`),
  };
}

function etagListMatches(list: string, etag: string): boolean {
  return list
    .split(",")
    .map((t) => t.trim().replace(/^W\//, "").replace(/^"|"$/g, ""))
    .some((t) => t === "*" || t === etag);
}

function parseDate(text: string | null): number | null {
  if (!text) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}

/**
 * What the request does with the object the conditions are about:
 * "read" (GET/HEAD: 304 when not modified), "write" (If-Modified-Since
 * ignored), "copy" (the copy source: every failure is 412).
 */
export type ConditionMode = "read" | "write" | "copy";

/** Throws PreconditionFailed (412) or NotModified (304) when a condition fails. */
export function checkConditions(c: Conditions, v: Validators, mode: ConditionMode): void {
  // A "not modified" outcome is 304 only for a read; a write or a copy has nothing to not-send.
  const notModified = (condition: string) =>
    mode === "read" ? new S3Error("NotModified") : new S3Error("PreconditionFailed", undefined, { Condition: condition });
  if (c.ifMatch !== null) {
    if (!etagListMatches(c.ifMatch, v.etag)) throw new S3Error("PreconditionFailed", undefined, { Condition: "If-Match" });
  } else {
    const since = parseDate(c.ifUnmodifiedSince);
    if (since !== null && objectTime(v.lastModifiedMs) > since)
      throw new S3Error("PreconditionFailed", undefined, { Condition: "If-Unmodified-Since" });
  }
  if (c.ifNoneMatch !== null) {
    if (etagListMatches(c.ifNoneMatch, v.etag)) throw notModified("If-None-Match");
  } else if (mode !== "write") {
    const since = parseDate(c.ifModifiedSince);
    if (since !== null && objectTime(v.lastModifiedMs) <= since) throw notModified("If-Modified-Since");
  }
}
