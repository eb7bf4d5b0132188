/** What every handler gets: the parsed request and the parts it may call. */
import type { Logger } from "../log.ts";
import type { AuthResult } from "../s3/sigv4/index.ts";
import type { Listener } from "./location.ts";
import type { Result } from "./result.ts";
import type { Services } from "./services.ts";

export type { Services };

export interface Ctx {
  req: Request;
  method: string;
  query: URLSearchParams;
  key: string;
  requestId: string;
  auth: AuthResult;
  services: Services;
  /** Where the request reached us, for URLs that name us (CompleteMultipartUpload's Location). */
  listener: Listener;
  log: Logger;
}

export type Handler = (ctx: Ctx) => Result | Promise<Result>;
