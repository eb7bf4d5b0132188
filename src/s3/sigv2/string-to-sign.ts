/**
 * The Signature V2 string to sign.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/RESTAuthentication.html
 *
 *   Verb \n Content-MD5 \n Content-Type \n Date \n CanonicalizedAmzHeaders CanonicalizedResource
 */
import { percentDecode } from "../keys.ts";
import { SUB_RESOURCES } from "./sub-resources.ts";

export interface StringToSignParts {
  method: string;
  contentMd5: string;
  contentType: string;
  /** The Date header; "" when x-amz-date is sent; Expires in the query form. */
  date: string;
  /** canonicalAmzHeaders(): "name:value\n" per header, or "". */
  amzHeaders: string;
  /** canonicalResource() */
  resource: string;
}

export function stringToSign(p: StringToSignParts): string {
  return `${p.method}\n${p.contentMd5}\n${p.contentType}\n${p.date}\n${p.amzHeaders}${p.resource}`;
}

/**
 * Every x-amz-* header, name lower-cased, sorted by name, one line each
 * "name:value\n". A header sent more than once is one line with its values
 * joined by "," (no space); folded lines are unfolded to one space and
 * values trimmed (the doc's "CanonicalizedAmzHeaders process", steps 1–6).
 * `entries` lists a repeated header once per value.
 */
export function canonicalAmzHeaders(entries: Iterable<readonly [string, string]>): string {
  const byName = new Map<string, string[]>();
  for (const [rawName, value] of entries) {
    const name = rawName.toLowerCase();
    if (!name.startsWith("x-amz-")) continue;
    const values = byName.get(name) ?? [];
    values.push(value.replace(/\s*\r?\n\s*/g, " ").trim());
    byName.set(name, values);
  }
  return [...byName.keys()]
    .sort()
    .map((name) => `${name}:${byName.get(name)!.join(",")}\n`)
    .join("");
}

/**
 * "/" + the bucket when the Host named it (virtual-hosted style), then the
 * path exactly as sent (still percent-encoded, as the client signed it),
 * then the sub-resources sorted by name, each with its value decoded
 * ("When signing, you do not encode these values"). A parameter sent
 * without "=" is signed without one ("?acl", "?uploads").
 * Read from the raw query, not the request's decoded pairs: those lose
 * "?acl" versus "?acl=" and turn "+" into a space, and both change the
 * string the client signed.
 */
export function canonicalResource(bucket: string | null, path: string, rawQuery: string): string {
  const subResources: string[][] = [];
  for (const part of rawQuery.split("&")) {
    const eq = part.indexOf("=");
    const name = percentDecode(eq < 0 ? part : part.slice(0, eq));
    if (!SUB_RESOURCES.has(name)) continue;
    subResources.push(eq < 0 ? [name] : [name, percentDecode(part.slice(eq + 1))]);
  }
  // Sorted by name only: Array.prototype.sort is stable, so a repeated name keeps its order.
  subResources.sort(([a], [b]) => (a! < b! ? -1 : a! > b! ? 1 : 0));
  const query = subResources.map((pair) => pair.join("=")).join("&");
  return `${bucket === null ? "" : `/${bucket}`}${path}${query === "" ? "" : `?${query}`}`;
}
