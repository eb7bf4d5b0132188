/** What every handler gets: the parsed request and the parts it may call. */
import type { Logger } from "../log.ts";
import type { AuthResult } from "../s3/sigv4/index.ts";
import type { Bucket } from "../store/bucket.ts";
import type { Multipart } from "../store/multipart/multipart.ts";
import type { Result } from "./result.ts";

export interface Services {
  bucket: Bucket;
  multipart: Multipart;
  /** When the bucket was created, for ListBuckets. */
  createdMs: number;
  /**
   * GetObjectTagging's tags for an existing key (the library's artist,
   * album, title, genre, year); without a provider every object has none.
   */
  tagsFor?: (key: string) => Record<string, string>;
  /** Origins whose pages may call us (s3_cors_origins); ["*"] for any. */
  corsOrigins: readonly string[];
}

export interface Ctx {
  req: Request;
  method: string;
  query: URLSearchParams;
  key: string;
  requestId: string;
  auth: AuthResult;
  services: Services;
  log: Logger;
}

export type Handler = (ctx: Ctx) => Result | Promise<Result>;
