/**
 * Parsing the Authorization header of a header-signed request:
 * "AWS4-HMAC-SHA256 Credential=AKID/20130524/us-east-1/s3/aws4_request,
 *  SignedHeaders=host;range;x-amz-date, Signature=<64 hex>"
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-auth-using-authorization-header.html
 */
import { S3Error } from "../errors.ts";
import { ALGORITHM } from "./signing-key.ts";

export interface AuthorizationHeader {
  credential: string;
  signedHeaders: string[];
  signature: string;
}


const MALFORMED = "The authorization header is malformed;";

export function parseAuthorizationHeader(value: string): AuthorizationHeader {
  const text = value.trim();
  const space = text.search(/\s/);
  const algorithm = space < 0 ? text : text.slice(0, space);
  // What S3 answers to a scheme it does not know (V2's "AWS " is dispatched before this).
  if (algorithm !== ALGORITHM)
    throw new S3Error("InvalidArgument", "Unsupported Authorization Type", { ArgumentName: "Authorization", ArgumentValue: value });

  const fields = new Map<string, string>();
  for (const component of space < 0 ? [] : text.slice(space).split(",")) {
    const part = component.trim();
    if (part === "") continue;
    const eq = part.indexOf("=");
    if (eq <= 0) throw new S3Error("AuthorizationHeaderMalformed", `${MALFORMED} '${part}' is not of the form key=value.`);
    fields.set(part.slice(0, eq), part.slice(eq + 1));
  }
  const credential = fields.get("Credential");
  const signedHeaders = fields.get("SignedHeaders");
  const signature = fields.get("Signature");
  if (!credential || !signedHeaders || !signature)
    throw new S3Error(
      "AuthorizationHeaderMalformed",
      `${MALFORMED} the authorization header requires three components: Credential, SignedHeaders, and Signature.`,
    );
  return { credential, signedHeaders: signedHeaders.split(";"), signature };
}
