/**
 * What a request promised about its body (declared length, signed SHA-256,
 * Content-MD5, x-amz-checksum-*, aws-chunked framing and trailer), read from
 * its headers and handed to the one verified body stream.
 */
import { checksumFromHeaders, trailerChecksumCheck } from "../s3/body-check.ts";
import { S3Error } from "../s3/errors.ts";
import { FreshChunks } from "../s3/spent-chunks.ts";
import type { AuthResult } from "../s3/sigv4/index.ts";
import { VerifiedBody } from "../s3/verified-body.ts";

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

export function requestBody(req: Request, auth: AuthResult, maxBytes: number, options: BodyOptions = {}): VerifiedBody {
  const expectedBytes = declaredLength(req, auth);
  const payload = auth.payload;
  // preventCancel: an early rejection leaves the rest readable, so drainBody() can discard it.
  const raw = new FreshChunks(req.body ? req.body.values({ preventCancel: true }) : none());
  return new VerifiedBody(raw, {
    maxBytes,
    expectedBytes,
    sha256Hex: payload.kind === "sha256" ? payload.hex : undefined,
    contentMd5: req.headers.get("content-md5"),
    checksum: options.headerChecksum === false ? null : checksumFromHeaders(req.headers),
    chunked:
      payload.kind === "chunked"
        ? { signer: payload.signer, trailer: payload.trailer, decodedLength: expectedBytes, trailerChecksum: payload.trailer ? trailerChecksumCheck(req.headers) : null }
        : undefined,
  });
}
