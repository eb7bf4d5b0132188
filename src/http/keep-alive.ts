/**
 * CompleteMultipartUpload and copies of big objects can take minutes. S3
 * answers 200 at once and sends whitespace until the document is ready, so
 * that neither the client nor Bun's idleTimeout drops the connection; an
 * error found after that is an <Error> document inside the 200, which the
 * SDKs look for (their "throw 200 exceptions" step).
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html
 * An operation that finishes quickly is answered normally, errors with their
 * real status.
 */
import type { Result } from "./result.ts";

export interface KeepAliveTiming {
  /** Wait this long for the document before committing to a 200. */
  answerAfterMs: number;
  /** Then send a space this often. */
  everyMs: number;
}

export const KEEP_ALIVE: KeepAliveTiming = { answerAfterMs: 1000, everyMs: 10_000 };

/** An xml-later result that settles within answerAfterMs becomes plain xml (or throws its error). */
export async function settleSoon(result: Result, timing: KeepAliveTiming = KEEP_ALIVE): Promise<Result> {
  if (result.kind !== "xml-later") return result;
  let timer: Timer | undefined;
  const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), timing.answerAfterMs)));
  try {
    const body = await Promise.race([result.body, late]);
    return body === null ? result : { kind: "xml", root: result.root, body, headers: result.headers };
  } finally {
    clearTimeout(timer);
  }
}

const DECLARATION = `<?xml version="1.0" encoding="UTF-8"?>\n`;

/** The declaration first (nothing may precede it), then spaces, then the document's root element. */
export function keepAliveStream(
  document: Promise<string>,
  everyMs: number = KEEP_ALIVE.everyMs,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let timer: Timer | undefined;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(DECLARATION));
      timer = setInterval(() => controller.enqueue(encoder.encode(" ")), everyMs);
      void document.then((text) => {
        clearInterval(timer);
        try {
          controller.enqueue(encoder.encode(text.replace(/^<\?xml[^>]*\?>\s*/, "")));
          controller.close();
        } catch {
          // The client went away; the operation itself has finished regardless.
        }
      });
    },
    cancel() {
      clearInterval(timer);
    },
  });
}
