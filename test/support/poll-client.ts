// A long-poll client as the browser's fallback speaks it: POST /poll with the frames to send,
// cookies kept from Set-Cookie, `hello-first` answered with a new hello (resuming after the
// last seq seen), credential tickets redeemed at /auth.
type Frame = { op: string; seq?: number; code?: string; ticket?: string; resumed?: boolean; attrs?: { text?: string } };

export class PollClient {
  readonly frames: Frame[] = [];
  lastSeq = 0;
  private cookies = new Map<string, string>();

  constructor(readonly baseUrl: string, readonly tab = Math.random().toString(36).slice(2)) {}

  /** Sends `frames` and returns the raw answer (after recording what it carried). */
  async poll(frames: unknown[] = [], wait = false): Promise<string> {
    const res = await fetch(new URL('/poll', this.baseUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: this.cookieHeader() },
      body: JSON.stringify({ tab: this.tab, frames, wait }),
    });
    this.keepCookies(res);
    const body = await res.text();
    if (res.status !== 200) throw new Error(`/poll answered ${res.status}: ${body}`);
    for (const f of JSON.parse(body) as Frame[]) {
      this.frames.push(f);
      if (f.op === 'hello' && !f.resumed) this.lastSeq = 0;
      if (f.seq !== undefined && f.seq > this.lastSeq) this.lastSeq = f.seq;
      if (f.op === 'credential') await this.redeem(f.ticket!);
    }
    return body;
  }

  hello(after?: number) { return this.poll([{ op: 'hello', version: 1, tab: this.tab, ...(after === undefined ? {} : { after }) }]); }

  /** Polls (greeting again whenever told to) until `pred` holds. */
  async until(pred: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      const seen = this.frames.length;
      await this.poll([], false);
      if (this.frames.slice(seen).some(f => f.code === 'hello-first')) await this.hello(this.lastSeq);
      else if (this.frames.length === seen) await new Promise(r => setTimeout(r, 20));
    }
  }

  private async redeem(ticket: string) {
    const res = await fetch(new URL('/auth', this.baseUrl), {
      method: 'POST', headers: { 'content-type': 'application/json', cookie: this.cookieHeader() }, body: JSON.stringify({ ticket }),
    });
    if (res.status !== 204) throw new Error(`/auth answered ${res.status}`);
    this.keepCookies(res);
  }

  private keepCookies(res: Response) {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      if (value) this.cookies.set(name, value);
      else this.cookies.delete(name);
    }
  }

  private cookieHeader() { return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '); }
}
