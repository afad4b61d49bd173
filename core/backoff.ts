// Reconnect delays: exponential from 0.5 s to 15 s, each drawn at random between half the
// ceiling and the ceiling ("equal jitter"), so that many clients dropped at once do not return
// at once, yet none retries sooner than half the ceiling.
const BASE_MS = 500;
const MAX_MS = 15_000;

export function backoff(attempt: number, random = Math.random): number {
  const ceiling = Math.min(MAX_MS, BASE_MS * 2 ** attempt);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
