/**
 * A fixed one-second window on the real clock (not the emulator's settable one, which tests may
 * freeze): enough to make a client meet 429 + Retry-After under load.
 */
export class RateLimiter {
  private window = -1;
  private count = 0;

  constructor(private readonly perSecond: number) {}

  tryAcquire(nowMs: number = Date.now()): boolean {
    const window = Math.floor(nowMs / 1000);
    if (window !== this.window) {
      this.window = window;
      this.count = 0;
    }
    return ++this.count <= this.perSecond;
  }
}
