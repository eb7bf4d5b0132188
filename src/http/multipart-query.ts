/** zod at the edge: the query parameters of the multipart operations. */
import { z } from "zod";
import { S3Error } from "../s3/errors.ts";
import { MAX_PART_NUMBER } from "../s3/limits.ts";

const partNumberSchema = z.coerce.number().int().min(1).max(MAX_PART_NUMBER);
const markerSchema = z.coerce.number().int().min(0);

/** UploadPart's partNumber: 1–10000. */
export function partNumberOf(query: URLSearchParams): number {
  const text = query.get("partNumber") ?? "";
  const parsed = /^\d+$/.test(text) ? partNumberSchema.safeParse(text) : null;
  if (!parsed?.success)
    throw new S3Error("InvalidArgument", `Part number must be an integer between 1 and ${MAX_PART_NUMBER}, inclusive`, {
      ArgumentName: "partNumber",
      ArgumentValue: text,
    });
  return parsed.data;
}

/** ListParts' part-number-marker: parts after this number; 0 when absent. */
export function partNumberMarkerOf(query: URLSearchParams): number {
  const text = query.get("part-number-marker");
  if (text === null || text === "") return 0;
  const parsed = /^\d+$/.test(text) ? markerSchema.safeParse(text) : null;
  if (!parsed?.success)
    throw new S3Error("InvalidArgument", "Provided part-number-marker not an integer or within integer range", {
      ArgumentName: "part-number-marker",
      ArgumentValue: text,
    });
  return parsed.data;
}

export function uploadIdOf(query: URLSearchParams): string {
  return query.get("uploadId") ?? "";
}
