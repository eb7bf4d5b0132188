/** Signature V2: header and query-string verification. */
export { authenticateV2Header, authenticateV2Query } from "./authenticate.ts";
