/** How authenticate() refuses a request, as plain data for toEqual/toMatchObject. */
import { authenticate, type Credentials, type IncomingRequest } from "../../src/s3/authenticate.ts";
import { S3Error } from "../../src/s3/errors.ts";

export interface Refusal {
  code: string;
  status: number;
  message: string;
  fields: Record<string, string>;
}

/** The S3Error authenticate() throws; fails the test if the request is accepted. */
export function authRefusal(req: IncomingRequest, creds: Credentials, now: number): Refusal {
  try {
    authenticate(req, creds, now);
  } catch (e) {
    if (!(e instanceof S3Error)) throw e;
    return { code: e.code, status: e.status, message: e.message, fields: e.fields };
  }
  throw new Error("the request was accepted");
}
