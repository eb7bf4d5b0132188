/**
 * The signature chain of an aws-chunked body: each chunk's signature signs
 * its data and the previous signature, starting from the seed (the request's
 * own signature), and the trailer signature closes the chain.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming-trailers.html
 */
import { S3Error } from "../errors.ts";
import { EMPTY_SHA256, hmacSha256Hex, signaturesEqual } from "./signing-key.ts";

export interface ChunkSigner {
  /** Checks the signature of the next chunk (given the hex SHA-256 of its data) and advances the chain. */
  verifyChunk(dataSha256Hex: string, signature: string): void;
  /** Checks x-amz-trailer-signature (given the hex SHA-256 of the canonical trailer lines). */
  verifyTrailer(trailerSha256Hex: string, signature: string): void;
}

export interface ChainContext {
  signingKey: Uint8Array;
  amzDate: string;
  scope: string;
}

export function chunkSignature(ctx: ChainContext, previous: string, dataSha256Hex: string): string {
  const toSign = `AWS4-HMAC-SHA256-PAYLOAD\n${ctx.amzDate}\n${ctx.scope}\n${previous}\n${EMPTY_SHA256}\n${dataSha256Hex}`;
  return hmacSha256Hex(ctx.signingKey, toSign);
}

export function trailerSignature(ctx: ChainContext, previous: string, trailerSha256Hex: string): string {
  const toSign = `AWS4-HMAC-SHA256-TRAILER\n${ctx.amzDate}\n${ctx.scope}\n${previous}\n${trailerSha256Hex}`;
  return hmacSha256Hex(ctx.signingKey, toSign);
}

export function createChunkSigner(ctx: ChainContext, seedSignature: string): ChunkSigner {
  let previous = seedSignature.toLowerCase();
  const check = (expected: string, provided: string, what: string): void => {
    if (!signaturesEqual(expected, provided))
      throw new S3Error(
        "SignatureDoesNotMatch",
        `The ${what} signature we calculated does not match the signature you provided.`,
      );
    previous = expected;
  };
  return {
    verifyChunk: (dataSha256Hex, signature) => check(chunkSignature(ctx, previous, dataSha256Hex), signature, "chunk"),
    verifyTrailer: (trailerSha256Hex, signature) =>
      check(trailerSignature(ctx, previous, trailerSha256Hex), signature, "trailer"),
  };
}
