// A session's worker: runs its jobs (user events, typing, tasks from elsewhere) one at a time,
// in order. A job that opens a popup is parked on it: the worker goes on with the next jobs, and
// when the popup is answered, the parked job goes on before anything else.

/** A job; it may be async. Throwing (or rejecting) is reported, and the worker goes on. */
export type Job = () => unknown;

/** What a job that opened a popup waits for, and how to wake it when it is answered. */
export interface Parked {
  /** Settles when the job that opened the popup is done (set once the job has started). */
  owner?: Promise<void>;
}

export class Worker {
  private queue: Job[] = [];
  private draining = false;
  private park: (() => void) | null = null;
  private current: Promise<void> | null = null;
  /** Popups opened by the job being started, before its promise exists. */
  private opening: Parked[] | null = null;
  private resumed: Promise<void>[] = [];
  private idleWaiters: (() => void)[] = [];
  private stopped = false;

  constructor(private readonly fail: (err: unknown) => void) {}

  get length(): number { return this.queue.length; }

  /** True when no job is queued or running (a job waiting on a popup counts as done). */
  get idle(): boolean { return !this.draining && this.queue.length === 0; }

  enqueue(job: Job): void {
    if (this.stopped) return;
    this.queue.push(job);
    if (!this.draining) queueMicrotask(() => this.drain());
  }

  /** Runs `fn` after what is queued; resolves when `fn` is done. */
  run(fn: () => unknown): Promise<void> {
    return new Promise(resolve => this.enqueue(async () => { try { await fn(); } finally { resolve(); } }));
  }

  /** Resolves once every queued job has run (a job waiting on a popup counts as done). */
  whenIdle(): Promise<void> {
    if (this.idle) return Promise.resolve();
    return new Promise(r => this.idleWaiters.push(r));
  }

  /** Forgets what is queued and takes no more. */
  stop(): void {
    this.stopped = true;
    this.queue = [];
  }

  /**
   * The running job opened a popup: it now waits for the answer while the worker goes on.
   * `p.owner` becomes that job's promise.
   */
  parkOn(p: Parked): void {
    p.owner = this.current ?? undefined;
    this.opening?.push(p);
    this.park?.();
  }

  /** A popup was answered: the job parked on it goes on first. */
  wake(p: Parked): void {
    if (p.owner) this.resumed.push(p.owner);
  }

  private drain() {
    if (this.draining) return;
    this.draining = true;
    this.pump();
  }

  /**
   * Runs queued jobs in order. It stays synchronous while jobs finish synchronously (a message
   * arriving), and continues from a promise only when a job awaits something.
   */
  private pump() {
    for (;;) {
      // A popup answered during the last job: let the action that awaited it go on first.
      const resumed = this.resumed.shift();
      if (resumed) { void this.watch(resumed).then(() => this.pump()); return; }
      if (!this.queue.length || this.stopped) break;
      const job = this.queue.shift()!;
      // Run the job up to its first await; popups it opens meanwhile are owned by its promise.
      this.current = null;
      this.opening = [];
      const pending = this.perform(job);
      const opened = this.opening;
      this.opening = null;
      if (!pending) continue;
      let finish!: () => void;
      const done = new Promise<void>(r => (finish = r));
      for (const p of opened) p.owner = done;
      this.current = done;
      const watched = this.watch(done);
      pending.then(finish, finish);
      // A job that opened a popup already is parked on it: go on with the next job.
      if (opened.length) continue;
      void watched.then(() => this.pump());
      return;
    }
    this.current = null;
    this.draining = false;
    for (const w of this.idleWaiters.splice(0)) w();
  }

  /** Waits until `p` settles, or until the job it belongs to parks on a popup. */
  private watch(p: Promise<void>): Promise<void> {
    return new Promise<void>(resolve => {
      this.park = resolve;
      p.then(resolve, resolve);
    }).finally(() => { this.park = null; });
  }

  /** Starts a job; returns a promise only if it did not finish synchronously. Never rejects. */
  private perform(job: Job): Promise<void> | undefined {
    try {
      const result = job();
      if (result instanceof Promise) return result.then(() => undefined, err => this.fail(err));
    } catch (err) {
      this.fail(err);
    }
    return undefined;
  }
}
