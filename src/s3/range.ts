/**
 * The single byte range S3 supports (RFC 9110 §14.1.2): bytes=a-b, a-, -n.
 * A header we cannot parse, or one with several ranges, is ignored (200 with
 * the whole object), as S3 does; an unsatisfiable one is 416 InvalidRange.
 */
import { S3Error } from "./errors.ts";

export interface ByteRange {
  start: number;
  /** Inclusive. */
  end: number;
}

export function parseRange(header: string | null, size: number): ByteRange | null {
  if (!header) return null;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m || (m[1] === "" && m[2] === "")) return null;
  const first = m[1] === "" ? null : Number(m[1]);
  const last = m[2] === "" ? null : Number(m[2]);
  if (first === null) {
    if (last === 0 || size === 0) throw new S3Error("InvalidRange", undefined, { ActualObjectSize: String(size) });
    return { start: Math.max(0, size - last!), end: size - 1 };
  }
  if (last !== null && last < first) return null;
  if (first >= size) throw new S3Error("InvalidRange", undefined, { ActualObjectSize: String(size) });
  return { start: first, end: last === null ? size - 1 : Math.min(last, size - 1) };
}
