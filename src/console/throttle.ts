/**
 * Sign-in throttling (SPEC §9): 10 failures within a minute from one
 * address close sign-in to that address for a minute, a correct attempt
 * included, so guessing a 40-character secret stays hopeless.
 */
export const MAX_FAILURES = 10;
export const WINDOW_MS = 60_000;
/** Addresses remembered at once; a flood of new ones forgets the oldest. */
const MAX_ADDRESSES = 10_000;

export class SignInThrottle {
  readonly #failures = new Map<string, number[]>();
  readonly #blockedUntil = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Seconds until this address may try again; 0 when it may now. */
  retryAfter(address: string): number {
    const until = this.#blockedUntil.get(address);
    if (until === undefined) return 0;
    const left = until - this.now();
    if (left > 0) return Math.ceil(left / 1000);
    this.#blockedUntil.delete(address);
    this.#failures.delete(address);
    return 0;
  }

  failed(address: string): void {
    const now = this.now();
    const recent = (this.#failures.get(address) ?? []).filter((t) => t > now - WINDOW_MS);
    recent.push(now);
    this.#failures.delete(address); // re-inserted last: the map's order is least recently failed first
    this.#failures.set(address, recent);
    if (this.#failures.size > MAX_ADDRESSES) this.#failures.delete(this.#failures.keys().next().value!);
    if (recent.length >= MAX_FAILURES) this.#blockedUntil.set(address, now + WINDOW_MS);
  }

  succeeded(address: string): void {
    this.#failures.delete(address);
  }
}
