/**
 * DeleteObjects' rule for a list of keys: each key on its own, so one bad
 * key is reported and the others are still deleted; a key that did not
 * exist counts as deleted (the bucket's delete is 204-idempotent).
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html
 */
import { isS3Error, S3Error } from "../s3/errors.ts";
import { validateKey } from "../s3/keys.ts";

export interface DeleteOutcome {
  deleted: string[];
  errors: Array<{ key: string; code: string; message: string }>;
}

export function deleteEach(
  keys: readonly string[], remove: (key: string) => void, onInternalError: (key: string, e: unknown) => void,
): DeleteOutcome {
  const out: DeleteOutcome = { deleted: [], errors: [] };
  for (const key of keys) {
    try {
      validateKey(key);
      remove(key);
      out.deleted.push(key);
    } catch (e) {
      if (!isS3Error(e)) onInternalError(key, e);
      const err = isS3Error(e) ? e : new S3Error("InternalError");
      out.errors.push({ key, code: err.code, message: err.message });
    }
  }
  return out;
}
