/**
 * objectLocation's fallbacks, which a server bound to 127.0.0.1 in the e2e
 * suite cannot show: wildcard and IPv6 binds, an unknown port, and Host
 * values at the edge of host[:port].
 */
import { expect, test } from "bun:test";
import { type Listener, objectLocation } from "../../src/http/location.ts";

const at = (host: string | null, headers: Record<string, string> = {}) =>
  new Request("http://ignored/", { headers: host === null ? headers : { ...headers, host } });
const listener = (l: Partial<Listener> = {}): Listener => ({ tls: false, hostname: "192.168.1.20", port: 9000, ...l });

test.each([
  ["a valid Host is used as sent", at("Pi.Local:9000"), listener(), "http://Pi.Local:9000/music/a%20b.mp3"],
  ["an IPv6 literal Host", at("[::1]:9000"), listener(), "http://[::1]:9000/music/a%20b.mp3"],
  ["a Host without a port", at("pi.example.lan"), listener({ tls: true }), "https://pi.example.lan/music/a%20b.mp3"],
  ["a vhost Host drops the bucket from the path", at("music.pi.local"), listener(), "http://music.pi.local/a%20b.mp3"],
  ["port 65536 falls back", at("pi.local:65536"), listener(), "http://192.168.1.20:9000/music/a%20b.mp3"],
  ["an empty Host falls back", at(""), listener(), "http://192.168.1.20:9000/music/a%20b.mp3"],
  ["a wildcard IPv4 bind names localhost", at("a<b"), listener({ hostname: "0.0.0.0" }), "http://localhost:9000/music/a%20b.mp3"],
  ["a wildcard IPv6 bind names localhost", at("a<b"), listener({ hostname: "::" }), "http://localhost:9000/music/a%20b.mp3"],
  ["an IPv6 bind is bracketed", at("a<b"), listener({ hostname: "::1" }), "http://[::1]:9000/music/a%20b.mp3"],
  ["an unknown port is left out", at("a<b"), listener({ hostname: "localhost", port: null }), "http://localhost/music/a%20b.mp3"],
  ["X-Forwarded-Proto applies to the fallback too", at("a<b", { "x-forwarded-proto": "https" }), listener(), "https://192.168.1.20:9000/music/a%20b.mp3"],
  ["our own TLS wins over X-Forwarded-Proto", at("pi.local", { "x-forwarded-proto": "http" }), listener({ tls: true }), "https://pi.local/music/a%20b.mp3"],
] as const)("%s", (_, req, l, want) => {
  expect(objectLocation(req, l, "a b.mp3")).toBe(want);
});
