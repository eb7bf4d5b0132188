/**
 * What x-amz-content-sha256 says about the body.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-auth-using-authorization-header.html
 * (table "x-amz-content-sha256 header values")
 */
import { S3Error } from "../errors.ts";
import type { ChunkSigner } from "./chunk-signer.ts";

export type Payload =
  | { kind: "unsigned" }
  | { kind: "sha256"; hex: string }
  | { kind: "chunked"; signed: boolean; trailer: boolean; signer: ChunkSigner | null };

export const UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
export const STREAMING_SIGNED = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
export const STREAMING_SIGNED_TRAILER = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
export const STREAMING_UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";

/** Payload modes before authenticate() attaches the chunk signer. */
export type PayloadMode =
  | { kind: "unsigned" }
  | { kind: "sha256"; hex: string }
  | { kind: "chunked"; signed: boolean; trailer: boolean };

const SHA256_HEX = /^[0-9a-fA-F]{64}$/;

export function payloadMode(value: string): PayloadMode {
  switch (value) {
    case UNSIGNED_PAYLOAD:
      return { kind: "unsigned" };
    case STREAMING_SIGNED:
      return { kind: "chunked", signed: true, trailer: false };
    case STREAMING_SIGNED_TRAILER:
      return { kind: "chunked", signed: true, trailer: true };
    case STREAMING_UNSIGNED_TRAILER:
      return { kind: "chunked", signed: false, trailer: true };
  }
  if (SHA256_HEX.test(value)) return { kind: "sha256", hex: value.toLowerCase() };
  // SigV4a streaming (STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD[-TRAILER]) needs
  // ECDSA signing keys; no client uses it against a single-region endpoint.
  if (value.startsWith("STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD"))
    throw new S3Error("NotImplemented", `x-amz-content-sha256 ${value} (SigV4a) is not supported; use SigV4.`);
  throw new S3Error(
    "InvalidArgument",
    "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, " +
      "STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, or a valid sha256 value.",
    { ArgumentName: "x-amz-content-sha256", ArgumentValue: value },
  );
}
