/**
 * What the chat needs of a limiter. This process's RateLimiter answers at once; one shared by
 * several processes (chat/redis-limiter.ts) answers asynchronously, and its take is atomic there.
 */
export interface Limiter {
  /** Records a hit; false if the key is over its limit (the hit is then not recorded). */
  take(key: string): boolean | Promise<boolean>;
  /** Forgets a key's hits. */
  reset(key: string): void | Promise<void>;
}

// A sliding-window limiter: at most `limit` hits per `windowMs` for each key. Keys whose hits
// have all expired are dropped now and then, so the table holds only recently active keys.
export class RateLimiter implements Limiter {
  private readonly hits = new Map<string, number[]>();
  private pruneAt = 1024;

  constructor(private readonly limit: number, private readonly windowMs: number, private readonly now: () => number = Date.now) {}

  /**
   * Records a hit; false if the key is over its limit (the hit is then not recorded). Taking
   * before any await is what keeps concurrent attempts from passing the check together.
   */
  take(key: string): boolean {
    const list = this.current(key);
    if (list.length >= this.limit) return false;
    list.push(this.now());
    this.hits.set(key, list);
    if (this.hits.size >= this.pruneAt) this.prune();
    return true;
  }

  /** Forgets a key's hits (a correct password clears the failed ones). */
  reset(key: string): void { this.hits.delete(key); }

  private current(key: string): number[] {
    const list = this.hits.get(key);
    if (!list) return [];
    const since = this.now() - this.windowMs;
    while (list.length && list[0] <= since) list.shift();
    return list;
  }

  private prune() {
    for (const key of [...this.hits.keys()]) if (!this.current(key).length) this.hits.delete(key);
    this.pruneAt = Math.max(1024, this.hits.size * 2);
  }
}
