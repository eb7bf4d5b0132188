/** Small text formats the views share. */
import { awsUriEncode } from "../../s3/keys.ts";
import { BASE } from "../routing.ts";

export { bytes, duration } from "../../library/format.ts";

export function streamUrl(key: string): string {
  return `${BASE}/api/stream/${awsUriEncode(key, true)}`;
}
