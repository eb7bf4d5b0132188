/** What the AWS SDK v3 sent: each request's payload mode and checksum headers, recorded by a middleware. */
import type { S3Client } from "@aws-sdk/client-s3";

export interface SentBySdk {
  method: string;
  /** x-amz-content-sha256: the payload mode. */
  payload: string;
  /** "name: value" of each x-amz-checksum-* and x-amz-trailer header. */
  checksum: string[];
}

/** Appends every request `s3` sends to `sent`. */
export function recordSdkRequests(s3: S3Client, sent: SentBySdk[]): void {
  s3.middlewareStack.add(
    (next) => async (args: any) => {
      const h: Record<string, string> = args.request.headers;
      sent.push({
        method: args.request.method,
        payload: h["x-amz-content-sha256"] ?? "",
        checksum: Object.keys(h).filter((k) => /^x-amz-(checksum-|trailer$)/.test(k)).map((k) => `${k}: ${h[k]}`),
      });
      return next(args);
    },
    { step: "deserialize", name: "recordPayloadMode" },
  );
}
