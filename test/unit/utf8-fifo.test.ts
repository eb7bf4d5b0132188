import { describe, expect, test } from "bun:test";
import { Utf8Fifo } from "../../src/text/utf8-fifo.ts";

/** Multi-byte names of every width, one longer than a whole chunk, and the empty string. */
const ODD = [
  "a.mp3",
  "Björk/Vespertine/03 café.flac", // 2-byte
  "Café".normalize("NFD") + "/x.mp3", // a combining mark, kept as it came (not normalized)
  "東京/夜.ogg", // 3-byte
  "😀/🚀 launch.mp3", // 4-byte (surrogate pairs in UTF-16)
  "\uFFEE.mp3",
  "",
  `${"Ω".repeat(40)}/long.mp3`, // 89 bytes: more than a chunk
  "z",
];

describe("Utf8Fifo", () => {
  test("odd names come back exactly and in order, across chunk boundaries", () => {
    for (const chunkSize of [8, 13, 32]) {
      const fifo = new Utf8Fifo(chunkSize);
      const pushed = [...ODD, ...ODD.map((s) => `${s}!`)];
      for (const s of pushed) fifo.push(s);
      expect(fifo.size).toBe(pushed.length);
      const out: (string | undefined)[] = [];
      while (fifo.size > 0) out.push(fifo.shift());
      expect(out).toEqual(pushed);
      expect(fifo.shift()).toBeUndefined();
    }
  });

  test("pushes and shifts interleaved, emptied and filled again", () => {
    const fifo = new Utf8Fifo(16);
    const expected: string[] = [];
    const got: string[] = [];
    for (let i = 0; i < 200; i++) {
      const s = `${ODD[i % ODD.length]}${i}`;
      fifo.push(s);
      expected.push(s);
      if (i % 3 !== 0) got.push(fifo.shift()!);
      if (i % 50 === 49) while (fifo.size > 0) got.push(fifo.shift()!);
    }
    while (fifo.size > 0) got.push(fifo.shift()!);
    expect(got).toEqual(expected);
  });

  test("clear drops everything", () => {
    const fifo = new Utf8Fifo(8);
    for (const s of ODD) fifo.push(s);
    fifo.clear();
    expect(fifo.size).toBe(0);
    expect(fifo.shift()).toBeUndefined();
    fifo.push("é");
    expect(fifo.shift()).toBe("é");
  });
});
