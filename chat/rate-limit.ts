// A sliding-window limiter: at most `limit` hits per `windowMs` for each key.
export class RateLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(private readonly limit: number, private readonly windowMs: number, private readonly now: () => number = Date.now) {}

  /** Records a hit; false if the key is over its limit (the hit is then not recorded). */
  take(key: string): boolean {
    if (!this.allowed(key)) return false;
    this.hits.get(key)!.push(this.now());
    return true;
  }

  /** Whether a hit would be allowed now, without recording one. */
  allowed(key: string): boolean {
    const since = this.now() - this.windowMs;
    let list = this.hits.get(key);
    if (!list) { list = []; this.hits.set(key, list); }
    while (list.length && list[0] <= since) list.shift();
    return list.length < this.limit;
  }

  record(key: string): void {
    this.allowed(key);
    this.hits.get(key)!.push(this.now());
  }

  reset(key: string): void { this.hits.delete(key); }
}
