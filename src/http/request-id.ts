/** The `x-amz-request-id` of every response, including those answered before routing (CORS preflights). */
let counter = 0;

/** Unique per response: time, process-local counter, randomness. */
export function newRequestId(): string {
  counter = (counter + 1) % 0x100000;
  const rand = crypto.getRandomValues(new Uint8Array(3));
  return (
    Date.now().toString(16).toUpperCase() +
    counter.toString(16).toUpperCase().padStart(5, "0") +
    Buffer.from(rand).toString("hex").toUpperCase()
  );
}
