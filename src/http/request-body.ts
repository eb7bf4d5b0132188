/**
 * Turns a request body into the stream the store writes: aws-chunked
 * framing decoded, and every promise the request made about its bytes
 * (signed SHA-256, x-amz-checksum-*, trailer checksum) checked by the end.
 */
import {
  type BodyCheck,
  checksumCheck,
  checksumFromHeaders,
  trailerChecksumCheck,
} from "../s3/body-check.ts";
import { S3Error } from "../s3/errors.ts";
import { decodeAwsChunked } from "../s3/sigv4/chunked.ts";
import type { AuthResult } from "../s3/sigv4/index.ts";
import type { Body } from "../store/atomic-write.ts";

/** The object size the request declares: x-amz-decoded-content-length for aws-chunked. */
export function declaredLength(req: Request, auth: AuthResult): number | undefined {
  const name = auth.payload.kind === "chunked" ? "x-amz-decoded-content-length" : "content-length";
  const text = req.headers.get(name);
  // The JS SDK sends a stream of unknown length as aws-chunked without
  // x-amz-decoded-content-length; the cap is then enforced while streaming.
  if (text === null) return undefined;
  if (!/^\d+$/.test(text)) throw new S3Error("InvalidArgument", `${name} is not a number.`);
  return Number(text);
}

async function* none(): AsyncGenerator<Uint8Array> {}

export interface BodyOptions {
  /**
   * False when x-amz-checksum-* headers describe something else than this
   * body: on CompleteMultipartUpload they are the whole object's checksum.
   */
  headerChecksum?: boolean;
}

export function requestBody(req: Request, auth: AuthResult, maxBytes: number, options: BodyOptions = {}): Body {
  const expectedBytes = declaredLength(req, auth);
  if (expectedBytes !== undefined && expectedBytes > maxBytes) throw new S3Error("EntityTooLarge");
  const checks: BodyCheck[] = [];
  const sent: Record<string, string> = {};
  const headerChecksum = options.headerChecksum === false ? null : checksumFromHeaders(req.headers);
  if (headerChecksum) {
    checks.push(checksumCheck(headerChecksum.algorithm, headerChecksum.value));
    sent[headerChecksum.algorithm] = headerChecksum.value;
  }
  // preventCancel: an early rejection leaves the rest readable, so drainBody() can discard it.
  const raw: AsyncIterable<Uint8Array> = req.body ? req.body.values({ preventCancel: true }) : none();
  let chunks: AsyncIterable<Uint8Array> = raw;
  const sha256Hex = auth.payload.kind === "sha256" ? auth.payload.hex : undefined;
  if (auth.payload.kind === "chunked") {
    const decoder = decodeAwsChunked(raw, { signer: auth.payload.signer, trailer: auth.payload.trailer, decodedLength: expectedBytes });
    const trailerCheck = auth.payload.trailer ? trailerChecksumCheck(req.headers) : null;
    if (trailerCheck) checks.push({ update: (c) => trailerCheck.update(c), finish: () => {} });
    chunks = {
      async *[Symbol.asyncIterator]() {
        try {
          let step = await decoder.next();
          while (!step.done) {
            yield step.value;
            step = await decoder.next();
          }
          if (trailerCheck) sent[trailerCheck.algorithm] = trailerCheck.finish(step.value);
        } finally {
          await decoder.return({}); // a consumer that stops early releases the body too
        }
      },
    };
  }
  return {
    chunks,
    checks,
    sha256Hex,
    maxBytes,
    expectedBytes,
    contentMd5: req.headers.get("content-md5"),
    checksums: () => sent,
  };
}
