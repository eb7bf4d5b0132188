/** What every handler gets: the parsed request and the parts it may call. */
import type { AuthResult } from "../s3/sigv4/index.ts";
import type { Bucket } from "../store/bucket.ts";
import type { Result } from "./result.ts";

export interface Services {
  bucket: Bucket;
  /** When the bucket was created, for ListBuckets. */
  createdMs: number;
}

export interface Ctx {
  req: Request;
  method: string;
  query: URLSearchParams;
  key: string;
  requestId: string;
  auth: AuthResult;
  services: Services;
}

export type Handler = (ctx: Ctx) => Result | Promise<Result>;
