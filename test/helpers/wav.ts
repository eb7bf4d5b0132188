/**
 * A PCM WAV of a sine tone, made in code: the audio fixtures are 0.5 s,
 * too short to watch a player's clock advance; this can be any length.
 */
export function sineWav(seconds: number, sampleRate = 22_050, hz = 440): Uint8Array {
  const samples = Math.round(seconds * sampleRate);
  const out = new Uint8Array(44 + samples * 2);
  const view = new DataView(out.buffer);
  const ascii = (at: number, text: string) => out.set(new TextEncoder().encode(text), at);
  // RIFF header and a 16-byte "fmt " chunk: PCM (1), mono, 16-bit.
  ascii(0, "RIFF");
  view.setUint32(4, 36 + samples * 2, true);
  ascii(8, "WAVEfmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  ascii(36, "data");
  view.setUint32(40, samples * 2, true);
  for (let i = 0; i < samples; i++) view.setInt16(44 + i * 2, Math.round(8_000 * Math.sin((2 * Math.PI * hz * i) / sampleRate)), true);
  return out;
}
