/**
 * Before an error answer, read and discard what is left of the request body
 * (up to a limit). A server that closes with unread bytes in its socket makes
 * the kernel reset the connection, and a client that is still writing may
 * lose the answer: it sees "connection reset" instead of a clear S3 error.
 * Bodies are iterated with preventCancel (request-body.ts) so that an early
 * rejection leaves the stream readable here.
 */
export const DRAIN_LIMIT = 16 * 1024 ** 2;

export async function drainBody(req: Request, limit = DRAIN_LIMIT): Promise<void> {
  const body = req.body;
  if (!body || body.locked) return;
  const declared = Number(req.headers.get("content-length") ?? Number.NaN);
  // Reading gigabytes to refuse them is worse than a reset.
  if (declared > limit) return;
  const reader = body.getReader();
  try {
    for (let seen = 0; seen <= limit; ) {
      const { done, value } = await reader.read();
      if (done) return;
      seen += value.byteLength;
    }
  } catch {
    // The client went away: nothing left to protect.
  } finally {
    reader.releaseLock();
  }
}
