/**
 * Counts uploads in progress (PUT and POST requests), so that background
 * work (the ETag hasher) can stay out of their way.
 */
export class InFlightWrites {
  private count = 0;

  get busy(): boolean {
    return this.count > 0;
  }

  /** Returns the function that ends this request's count. */
  begin(): () => void {
    this.count++;
    let ended = false;
    return () => {
      if (!ended) this.count--;
      ended = true;
    };
  }
}
