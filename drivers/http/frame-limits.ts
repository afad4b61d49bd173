// How fast a client may send each kind of frame. The buckets belong to the session, so they hold
// per connection and a reconnect does not refill them. Defaults are far above what a person
// does by hand (a click, a keystroke pause, a reload) and far below what hurts the server.
import { TokenBucket, type Rate } from '../../core/token-bucket.ts';

export interface FrameRates {
  /** `get {after}`: each may cost a full snapshot. */
  get: Rate;
  event: Rate;
  input: Rate;
  /** Sign-in attempts over the protocol (each may check a password). */
  auth: Rate;
  /** Error frames sent back: a flood of refused requests cannot become a flood of errors. */
  errors: Rate;
  /** Malformed frames; past this the connection is closed. */
  bad: Rate;
}

export const DEFAULT_FRAME_RATES: FrameRates = {
  get: { burst: 5, perSecond: 1 },
  event: { burst: 50, perSecond: 20 },
  input: { burst: 100, perSecond: 30 },
  auth: { burst: 5, perSecond: 1 / 6 },
  errors: { burst: 20, perSecond: 5 },
  bad: { burst: 20, perSecond: 2 },
};

/** The buckets of one session, made on first use: most sessions never send most kinds. */
export class FrameLimits {
  private readonly buckets = new Map<keyof FrameRates, TokenBucket>();

  constructor(private readonly rates: FrameRates) {}

  allow(what: keyof FrameRates, now = Date.now()): boolean {
    let bucket = this.buckets.get(what);
    if (!bucket) this.buckets.set(what, (bucket = new TokenBucket(this.rates[what], now)));
    return bucket.take(now);
  }
}
