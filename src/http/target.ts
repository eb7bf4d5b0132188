/**
 * Which bucket and key a request names. Path style: /music/key.
 * Virtual-hosted style: Host music.<anything>, path /key.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html
 */
import { percentDecode, validateKey } from "../s3/keys.ts";
import { virtualHostBucket } from "../s3/virtual-host.ts";

export interface Target {
  bucket: string | null;
  key: string | null;
}

/** Splits the raw path; the key is decoded and validated before any filesystem call. */
export function parseTarget(rawPath: string, host: string | null): Target {
  let bucket: string | null;
  let encodedKey: string;
  const vhost = virtualHostBucket(host);
  if (vhost) {
    bucket = vhost;
    encodedKey = rawPath.slice(1);
  } else {
    const path = rawPath.slice(1);
    const slash = path.indexOf("/");
    if (path === "") return { bucket: null, key: null };
    bucket = percentDecode(slash < 0 ? path : path.slice(0, slash));
    encodedKey = slash < 0 ? "" : path.slice(slash + 1);
  }
  if (encodedKey === "") return { bucket, key: null };
  const key = percentDecode(encodedKey);
  validateKey(key);
  return { bucket, key };
}
