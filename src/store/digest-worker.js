
/**
 * Runs on a second core: MD5 (and SHA-256 for signed payloads) of large
 * uploads, so hashing overlaps with receiving and writing on the main thread.
 * Plain JavaScript: the executable embeds this file as it is (digests.ts),
 * and a worker loaded from the embedded file system is not transpiled.
 */

/** @type {Map<number, { hashers: Map<string, Bun.CryptoHasher> }>} */
const streams = new Map();

self.onmessage = (/** @type {MessageEvent} */ event) => {
  const m = event.data;
  if (m.t === "start") {
    /** @type {string[]} */
    const algorithms = m.algorithms;
    streams.set(m.id, { hashers: new Map(algorithms.map((a) => [a, new Bun.CryptoHasher(/** @type {any} */ (a))])) });
  } else if (m.t === "data") {
    const s = streams.get(m.id);
    if (!s) return;
    for (const h of s.hashers.values()) h.update(m.chunk);
    self.postMessage({ t: "ack", id: m.id, bytes: m.chunk.byteLength });
  } else if (m.t === "end") {
    const s = streams.get(m.id);
    streams.delete(m.id);
    /** @type {Record<string, Uint8Array>} */
    const digests = {};
    for (const [a, h] of s?.hashers ?? []) digests[a] = new Uint8Array(h.digest());
    self.postMessage({ t: "digests", id: m.id, digests });
  } else if (m.t === "drop") {
    streams.delete(m.id);
  }
};
