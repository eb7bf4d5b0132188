/** What a handler returns; respond() turns it into a Response. */
import type { XmlNode } from "../s3/xml-writer.ts";

export type Result =
  | { kind: "xml"; root: string; body: XmlNode; status?: number; headers?: Record<string, string> }
  | { kind: "empty"; status: number; headers?: Record<string, string> }
  | { kind: "file"; status: number; headers: Record<string, string>; file: Blob; head: boolean }
  /** A document that may take long (Complete, copies); see keep-alive.ts. */
  | { kind: "xml-later"; root: string; body: Promise<XmlNode>; headers?: Record<string, string> };

export const xml = (root: string, body: XmlNode, headers?: Record<string, string>): Result => ({
  kind: "xml",
  root,
  body,
  headers,
});

export const xmlLater = (root: string, body: Promise<XmlNode>, headers?: Record<string, string>): Result => ({
  kind: "xml-later",
  root,
  body,
  headers,
});

export const empty = (status: number, headers?: Record<string, string>): Result => ({ kind: "empty", status, headers });
