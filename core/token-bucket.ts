// A token bucket: up to `burst` at once, then `perSecond` on average. Time is passed in (ms) so
// that a caller checking many buckets reads the clock once, and tests can step it.

export interface Rate { burst: number; perSecond: number }

export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(private readonly rate: Rate, now = Date.now()) {
    this.tokens = rate.burst;
    this.at = now;
  }

  /** Takes one token if there is one. */
  take(now = Date.now()): boolean {
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** True when the bucket has refilled: it can be forgotten and made anew without changing anything. */
  full(now = Date.now()): boolean {
    this.refill(now);
    return this.tokens >= this.rate.burst;
  }

  private refill(now: number) {
    if (now <= this.at) return;
    this.tokens = Math.min(this.rate.burst, this.tokens + ((now - this.at) * this.rate.perSecond) / 1000);
    this.at = now;
  }
}
