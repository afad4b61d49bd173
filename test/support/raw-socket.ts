// A bare WebSocket to /session for tests that speak the protocol by hand: every frame kept,
// the close code and reason kept, and waiting on conditions with a deadline.
import WebSocket from 'ws';

export class RawSocket {
  readonly frames: { op: string; code?: string; seq?: number; [k: string]: unknown }[] = [];
  closed: { code: number; reason: string } | null = null;
  private constructor(readonly ws: WebSocket) {
    ws.on('message', d => this.frames.push(JSON.parse(d.toString())));
    ws.on('close', (code, reason) => { this.closed = { code, reason: reason.toString() }; });
  }

  static async open(baseUrl: string, cookie?: string | null): Promise<RawSocket> {
    const url = new URL('/session', baseUrl);
    url.protocol = 'ws:';
    const ws = new WebSocket(url, { headers: cookie ? { cookie } : {}, perMessageDeflate: false });
    await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
    return new RawSocket(ws);
  }

  send(frame: unknown) { this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame)); }
  errors(code?: string) { return this.frames.filter(f => f.op === 'error' && (code === undefined || f.code === code)); }
  count(op: string) { return this.frames.filter(f => f.op === op).length; }

  async until(pred: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise(r => setTimeout(r, 20));
    }
  }

  close() { this.ws.terminate(); }
}
