/**
 * The absolute URL of an object, for CompleteMultipartUpload's <Location>
 * ("The URI that identifies the newly created object"):
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html
 *
 * Scheme: https when we serve TLS ourselves. Otherwise a TLS-terminating
 * proxy's X-Forwarded-Proto, when it says exactly http or https: SPEC §5 has
 * us work unchanged behind nginx terminating TLS, and the README's recipe
 * sends it. It only names the scheme of a URL in the answer to a request
 * already authenticated; nothing is allowed or refused by it (the console,
 * whose cookies and CSRF check would be, does not read it).
 * Host: the Host header as sent (SPEC §5: the proxy preserves it, and SigV4
 * signs it), when it is a valid host[:port]; anything else falls back to
 * the address we listen on, so no text of the request but the key (encoded)
 * reaches the URL.
 */
import { awsUriEncode } from "../s3/keys.ts";
import { BUCKET } from "../s3/limits.ts";
import { virtualHostBucket } from "../s3/virtual-host.ts";

/** Where this server listens, as Bun.serve reports it. */
export interface Listener {
  tls: boolean;
  hostname: string;
  /** null when unknown (in-process tests): the scheme's default. */
  port: number | null;
}

// RFC 3986 §3.2.2 host, narrowed to what DNS and IP literals use: a
// reg-name of letters, digits, "-", "_" and ".", or a bracketed IPv6 literal.
const HOST = /^(?:[A-Za-z0-9._-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::(\d{1,5}))?$/;

function validHost(host: string | null): string | null {
  const m = host === null ? null : HOST.exec(host);
  if (!m || (m[1] !== undefined && Number(m[1]) > 65535)) return null;
  return host;
}

/** The client-facing entry of X-Forwarded-Proto (a proxy chain appends), if it is http or https. */
function forwardedScheme(headers: Headers): "http" | "https" | null {
  const first = headers.get("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase();
  return first === "http" || first === "https" ? first : null;
}

function listenerAuthority(l: Listener): string {
  // A wildcard bind names no address a client could use; this machine's own name is the one that works here.
  const name = l.hostname === "" || l.hostname === "0.0.0.0" || l.hostname === "::" ? "localhost" : l.hostname;
  const host = name.includes(":") ? `[${name}]` : name;
  return l.port === null ? host : `${host}:${l.port}`;
}

export function objectLocation(req: Request, listener: Listener, key: string): string {
  const scheme = listener.tls ? "https" : (forwardedScheme(req.headers) ?? "http");
  const host = validHost(req.headers.get("host"));
  const encodedKey = awsUriEncode(key, true);
  // Virtual-hosted style names the bucket in the host, so the path is the key alone.
  const path = host !== null && virtualHostBucket(host) !== null ? `/${encodedKey}` : `/${BUCKET}/${encodedKey}`;
  return `${scheme}://${host ?? listenerAuthority(listener)}${path}`;
}
