/**
 * Every error a client can see is an S3Error thrown with a code; the status
 * and the default message live only in this table.
 * Codes and statuses: https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html
 *
 * The one rule for messages: a call site passes its own message only to say
 * which part of the request is wrong (the header, parameter, part number or
 * character), as S3's own messages do; a message that would only restate
 * the code belongs here. Machine-readable details go in `fields`.
 */
import { toXml } from "./xml-writer.ts";

const TABLE = {
  AccessDenied: [403, "Access Denied"],
  // S3's own words (typo included) for a CORS request its rules do not allow; AWS's
  // troubleshooting page: https://docs.aws.amazon.com/AmazonS3/latest/userguide/cors-troubleshooting.html
  AccessForbidden: [403, "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec."],
  AuthorizationHeaderMalformed: [400, "The authorization header is malformed; the region 'us-east-1' is wrong; expecting 'us-east-1'"],
  AuthorizationQueryParametersError: [400, "Error parsing the X-Amz-Credential parameter; the query-string authentication parameters are invalid"],
  BadRequest: [400, "Bad Request"],
  BadDigest: [400, "The Content-MD5 or checksum you specified did not match what we received."],
  EntityTooLarge: [400, "Your proposed upload exceeds the maximum allowed object size."],
  EntityTooSmall: [400, "Your proposed upload is smaller than the minimum allowed object size."],
  IncompleteBody: [400, "You did not provide the number of bytes specified by the Content-Length HTTP header."],
  InsufficientStorage: [507, "There is not enough space left on the music folder's disk to store this object."],
  InternalError: [500, "We encountered an internal error. Please try again."],
  InvalidAccessKeyId: [403, "The AWS Access Key Id you provided does not exist in our records."],
  InvalidArgument: [400, "Invalid Argument"],
  InvalidChunkSizeError: [400, "Only the last chunk is allowed to have a size less than 8192 bytes"],
  InvalidDigest: [400, "The Content-MD5 or checksum you specified is not valid."],
  InvalidObjectName: [400, "Object key is not valid."],
  InvalidPart: [400, "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag."],
  InvalidPartOrder: [400, "The list of parts was not in ascending order. Parts must be ordered by part number."],
  InvalidRange: [416, "The requested range is not satisfiable"],
  InvalidRequest: [400, "Invalid Request"],
  InvalidURI: [400, "Couldn't parse the specified URI."],
  KeyTooLongError: [400, "Your key is too long"],
  MalformedTrailerError: [400, "The request contained trailing data that was not well-formed or did not conform to our published schema."],
  MalformedXML: [400, "The XML you provided was not well-formed or did not validate against our published schema."],
  MaxMessageLengthExceeded: [400, "Your request was too big."],
  MethodNotAllowed: [405, "The specified method is not allowed against this resource."],
  NoSuchBucket: [404, "The specified bucket does not exist"],
  NoSuchKey: [404, "The specified key does not exist."],
  NoSuchUpload: [404, "The specified multipart upload does not exist. The upload ID might be invalid, or the multipart upload might have been aborted or completed."],
  NotImplemented: [501, "A header or query you provided implies functionality that is not implemented."],
  NotModified: [304, "Not Modified"],
  ObjectConflict: [409, "A parent of this key is a file, or this key is a folder that holds objects."],
  PreconditionFailed: [412, "At least one of the preconditions you specified did not hold."],
  RequestTimeTooSkewed: [403, "The difference between the request time and the server's time is too large."],
  SignatureDoesNotMatch: [403, "The request signature we calculated does not match the signature you provided. Check your key and signing method."],
  XAmzContentSHA256Mismatch: [400, "The provided 'x-amz-content-sha256' header does not match what was computed."],
} as const satisfies Record<string, readonly [number, string]>;

export type S3ErrorCode = keyof typeof TABLE;

export class S3Error extends Error {
  readonly code: S3ErrorCode;
  readonly status: number;
  /** Extra child elements of <Error>, e.g. Region, ArgumentName. */
  readonly fields: Record<string, string>;

  constructor(code: S3ErrorCode, message?: string, fields: Record<string, string> = {}) {
    const [status, defaultMessage] = TABLE[code];
    super(message ?? defaultMessage);
    this.name = "S3Error";
    this.code = code;
    this.status = status;
    this.fields = fields;
  }
}

export function isS3Error(e: unknown): e is S3Error {
  return e instanceof S3Error;
}

/** The S3 error document (no namespace, as S3 sends it). */
export function errorXml(err: S3Error, resource: string, requestId: string): string {
  return toXml(
    "Error",
    { Code: err.code, Message: err.message, ...err.fields, Resource: resource, RequestId: requestId },
    null,
  );
}
