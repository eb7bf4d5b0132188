/**
 * Virtual-hosted-style addressing: Host music.<anything> names the bucket.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html
 * The routing (http/target.ts) and Signature V2, whose string to sign puts
 * the Host's bucket back in front of the path, must agree on this rule.
 */
import { BUCKET } from "./limits.ts";

/** The bucket the Host header names, or null for a path-style request. */
export function virtualHostBucket(host: string | null): string | null {
  if (!host) return null;
  const name = host.replace(/:\d+$/, "").toLowerCase();
  return name.startsWith(BUCKET + ".") ? BUCKET : null;
}
