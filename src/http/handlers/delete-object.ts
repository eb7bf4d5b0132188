import type { Handler } from "../context.ts";
import { empty } from "../result.ts";

/** 204 whether or not the key existed. */
export const deleteObject: Handler = (ctx) => {
  ctx.services.bucket.delete(ctx.key);
  return empty(204);
};
