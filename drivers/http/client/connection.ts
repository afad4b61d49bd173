// Keeps the browser connected: WebSocket first, long-poll where there is none, reconnecting
// with jittered exponential backoff, and showing the state to the user.
import { backoff } from '../../../core/backoff.ts';
import type { WireClient } from '../../../core/wire-client.ts';
import { PATHS } from '../paths.ts';

export type ConnectionState = 'connecting' | 'online' | 'reconnecting' | 'ended';

export class Connector {
  private attempt = 0;
  private socket: WebSocket | null = null;

  constructor(private readonly client: WireClient, private readonly tab: string, private readonly show: (s: ConnectionState, retryInMs?: number) => void) {}

  start() {
    this.show('connecting');
    if (typeof WebSocket === 'function' && !location.search.includes('transport=poll')) this.openSocket();
    else void this.poll();
  }

  private retry() {
    const wait = backoff(this.attempt++);
    this.show('reconnecting', wait);
    setTimeout(() => this.start(), wait);
  }

  private openSocket() {
    const url = new URL(PATHS.session, location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(url);
    this.socket = ws;
    ws.onopen = () => {
      this.attempt = 0;
      this.show('online');
      this.client.connected(text => { if (ws.readyState === WebSocket.OPEN) ws.send(text); });
    };
    ws.onmessage = e => { if (typeof e.data === 'string') this.client.receive(e.data); };
    ws.onclose = () => {
      if (this.socket !== ws) return;
      this.socket = null;
      this.client.disconnected();
      this.retry();
    };
  }

  /** Long-poll: each request carries what the client has to say and waits for frames. */
  private async poll() {
    const queue: string[] = [];
    let needHello = true;
    let batching = false;
    const exchange = async (wait: boolean) => {
      const frames = queue.splice(0).map(t => JSON.parse(t) as unknown);
      const res = await fetch(PATHS.poll, {
        method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ tab: this.tab, frames, wait }),
      });
      if (!res.ok) throw new Error(`poll answered ${res.status}`);
      for (const f of (await res.json()) as { op: string; code?: string }[]) {
        // After sign-in the cookie changes: the server wants a new hello under it.
        if (f.op === 'error' && f.code === 'hello-first') needHello = true;
        else this.client.receive(JSON.stringify(f));
      }
    };
    const send = (text: string) => {
      queue.push(text);
      if (!batching) exchange(false).catch(() => undefined);
    };
    this.attempt = 0;
    this.show('online');
    try {
      for (;;) {
        if (needHello) {
          needHello = false;
          batching = true;                 // the hello rides on the next long poll
          this.client.disconnected();
          this.client.connected(send);
          batching = false;
        }
        await exchange(true);
      }
    } catch {
      this.client.disconnected();
      this.retry();
    }
  }
}
