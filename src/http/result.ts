/** What a handler returns; respond() turns it into a Response. */
import type { XmlNode } from "../s3/xml.ts";

export type Result =
  | { kind: "xml"; root: string; body: XmlNode; status?: number; headers?: Record<string, string> }
  | { kind: "empty"; status: number; headers?: Record<string, string> }
  | { kind: "file"; status: number; headers: Record<string, string>; file: Blob; head: boolean };

export const xml = (root: string, body: XmlNode, headers?: Record<string, string>): Result => ({
  kind: "xml",
  root,
  body,
  headers,
});

export const empty = (status: number, headers?: Record<string, string>): Result => ({ kind: "empty", status, headers });
