/** SigV4: header and presigned verification, and the aws-chunked body decoder. */
export { authenticate, type AuthResult, type Credentials, type IncomingRequest } from "./authenticate.ts";
export type { ChunkSigner } from "./chunk-signer.ts";
export { decodeAwsChunked, type DecodeOptions } from "./chunked.ts";
export type { Payload } from "./payload.ts";
