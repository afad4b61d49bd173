// The attacks of issue 10, each run in a loop by the soak: every round is bounded in count and
// in time, comes from the attack's own loopback addresses, and tallies what the server answered.
// None of them checks a pass or fail: the soak's verdict is on the honest users, the server's
// memory and its log; these tallies show the lead what each defence did.
import WebSocket from 'ws';
import { address, openSocket, postJson, redeem, sleep, until } from './soak-net.ts';

type Frame = { op: string; code?: string; ticket?: string; id?: string; kind?: string; attrs?: Record<string, unknown> };

/** A hostile client speaking raw frames; records what comes back and how the socket ended. */
class RawClient {
  readonly frames: Frame[] = [];
  closed: { code: number; reason: string } | null = null;
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, binary) => {
      if (binary) return;
      try { this.frames.push(JSON.parse(data.toString())); } catch { this.frames.push({ op: 'unparsable' }); }
    });
    ws.on('close', (code, reason) => { this.closed = { code, reason: reason.toString() }; });
    ws.on('error', () => undefined);
  }

  static async open(base: string, localAddress: string, cookie?: string | null): Promise<RawClient> {
    return new RawClient(await openSocket(base, localAddress, cookie));
  }

  send(frame: unknown) { if (this.ws.readyState === WebSocket.OPEN) this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame)); }
  hello(tab = Math.random().toString(36).slice(2)) { this.send({ op: 'hello', version: 1, tab }); }
  async waitFor(pred: (f: Frame) => boolean, timeoutMs = 10_000): Promise<Frame | null> {
    await until(() => this.frames.some(pred) || this.closed !== null, timeoutMs);
    return this.frames.find(pred) ?? null;
  }
  /** The answer to an `auth`: the credential (signed in) or the refusal's code. */
  async authAnswer(timeoutMs = 15_000): Promise<string> {
    const f = await this.waitFor(x => x.op === 'credential' || x.op === 'error', timeoutMs);
    return f ? (f.op === 'credential' ? 'signed-in' : `error:${f.code}`) : this.closed ? `closed:${this.closed.code}` : 'no-answer';
  }
  end() { this.ws.terminate(); }
}

export type Tally = Record<string, number>;
const count = (t: Tally, key: string, by = 1) => { t[key] = (t[key] ?? 0) + by; };

export interface AttackContext {
  base: string;
  /** Set when the soak ends the abuse phase: rounds stop at their next step. */
  stopping(): boolean;
}

export interface Attack {
  name: string;
  /** One bounded round. */
  round(ctx: AttackContext, tally: Tally, n: number): Promise<void>;
  /** Pause between rounds (ms). */
  pauseMs: number;
}

/** Signs a raw client in by the protocol's `auth`; returns it with its cookie, or null if refused. */
async function rawSignIn(base: string, localAddress: string, user: string, password?: string) {
  const c = await RawClient.open(base, localAddress);
  c.hello();
  await c.waitFor(f => f.op === 'hello');
  c.send({ op: 'auth', user, ...(password ? { password } : {}) });
  const answer = await c.authAnswer();
  if (answer !== 'signed-in') { c.end(); return { client: null, cookie: null, answer }; }
  const ticket = c.frames.find(f => f.op === 'credential')!.ticket!;
  return { client: c, cookie: await redeem(base, ticket, localAddress, null), answer };
}

const ADDRESSES = 200;   // per attack: enough that per-address windows refill between rounds

/**
 * Issue item 1: a signed-in user on 4 connections stops reading and asks for 3,000 snapshots on
 * each. Counts how the server ended those connections (or that it had not within 30 s).
 */
const getFlood: Attack = {
  name: 'paused get flood', pauseMs: 5_000,
  async round(ctx, tally, n) {
    const from = address(66, n % ADDRESSES);
    const { client, cookie, answer } = await rawSignIn(ctx.base, from, `flood${n}`);
    if (!client) return count(tally, `sign-in ${answer}`);
    client.end();
    const conns = await Promise.all([0, 1, 2, 3].map(async i => {
      const c = await RawClient.open(ctx.base, from, cookie);
      c.hello(`flood${n}-${i}`);
      await c.waitFor(f => f.op === 'hello');
      (c.ws as unknown as { _socket: { pause(): void } })._socket.pause();
      for (let k = 0; k < 3000; k++) c.send('{"op":"get","after":0}');
      return c;
    }));
    count(tally, 'get frames sent', 12_000);
    await until(() => conns.every(c => c.closed), 30_000, ctx.stopping);
    for (const c of conns) { count(tally, c.closed ? `closed by server ${c.closed.code}` : 'still open at the end of the round'); c.end(); }
  },
};

/** Issue item 2: long-poll hellos with fresh tab ids, 16 at a time, from a handful of addresses. */
function pollFlood(perRound: number): Attack {
  return {
    name: 'long-poll hello flood', pauseMs: 10_000,
    async round(ctx, tally, n) {
      const end = Date.now() + 90_000;
      let next = 0;
      const worker = async (w: number) => {
        const from = address(67, (n * 16 + w) % ADDRESSES);
        while (next < perRound && Date.now() < end && !ctx.stopping()) {
          const tab = `pf${n}-${next++}-${Math.random().toString(36).slice(2)}`;
          try {
            const res = await postJson(ctx.base, '/poll', { tab, frames: [{ op: 'hello', version: 1, tab }], wait: false }, { localAddress: from });
            const frames = res.status === 200 ? (JSON.parse(res.body) as Frame[]) : [];
            const err = frames.find(f => f.op === 'error');
            count(tally, res.status !== 200 ? `http ${res.status}` : err ? `error:${err.code}` : frames.some(f => f.op === 'hello') ? 'session' : 'other');
          } catch {
            count(tally, 'network error');
          }
        }
      };
      await Promise.all(Array.from({ length: 16 }, (_, w) => worker(w)));
    },
  };
}

/** Issue item 2: WebSockets that never say hello. Counts how many the server closed within 15 s. */
const silent: Attack = {
  name: 'connections without hello', pauseMs: 5_000,
  async round(ctx, tally, n) {
    const conns: RawClient[] = [];
    for (let i = 0; i < 100; i++) {
      try { conns.push(await RawClient.open(ctx.base, address(68, (n * 4 + (i % 4)) % ADDRESSES))); } catch { count(tally, 'refused at upgrade'); }
    }
    const t0 = Date.now();
    await until(() => conns.every(c => c.closed), 15_000, ctx.stopping);
    for (const c of conns) { count(tally, c.closed ? `closed by server ${c.closed.code}` : 'still open at the end of the round'); c.end(); }
    count(tally, 'seconds until all closed', Math.round((Date.now() - t0) / 1000));
  },
};

/** Issue item 3: event and widget names that name Object.prototype's members. */
const protoNames: Attack = {
  name: 'prototype event names', pauseMs: 2_000,
  async round(ctx, tally, n) {
    const c = await RawClient.open(ctx.base, address(69, n % ADDRESSES));
    c.hello();
    await c.waitFor(f => f.op === 'new' && f.attrs?.name === 'enter');
    const enter = c.frames.find(f => f.op === 'new' && f.attrs?.name === 'enter')?.id ?? 'w1';
    const names = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'];
    let sent = 0;
    for (const name of names) {
      c.send({ op: 'event', id: enter, name, state: {} });
      c.send({ op: 'event', id: name, name: 'click', state: {} });
      c.send({ op: 'input', id: name, value: 'x' });
      c.send(`{"op":"event","id":"${enter}","name":"click","state":{"__proto__":{"polluted":true}}}`);
      sent += 4;
    }
    await until(() => c.frames.filter(f => f.op === 'error').length >= sent || c.closed !== null, 5_000);
    for (const f of c.frames) if (f.op === 'error') count(tally, `error:${f.code}`);
    count(tally, 'frames sent', sent);
    c.end();
  },
};

/** Issue item 4: 300 `auth` frames at once for one registered name, all with wrong passwords. */
const authFlood: Attack = {
  name: 'wrong-password flood', pauseMs: 10_000,
  async round(ctx, tally, n) {
    if (n === 0) {
      const owner = await rawSignIn(ctx.base, address(70, 0), 'soakowner', 'the right password, long enough');
      count(tally, `owner ${owner.answer}`);
      owner.client?.end();
    }
    const conns = await Promise.all(Array.from({ length: 60 }, (_, i) => RawClient.open(ctx.base, address(71, (n * 60 + i) % ADDRESSES)).catch(() => null)));
    const live = conns.filter((c): c is RawClient => c !== null);
    for (const c of live) c.hello();
    await Promise.all(live.map(c => c.waitFor(f => f.op === 'hello')));
    for (const c of live) for (let k = 0; k < 5; k++) c.send({ op: 'auth', user: 'soakowner', password: `wrong ${n}.${k}` });
    await until(() => live.every(c => c.frames.filter(f => f.op === 'error' || f.op === 'credential').length >= 5 || c.closed), 30_000, ctx.stopping);
    for (const c of live) {
      for (const f of c.frames) if (f.op === 'error') count(tally, `error:${f.code}`); else if (f.op === 'credential') count(tally, 'SIGNED IN with a wrong password');
      c.end();
    }
  },
};

/** Issue item 5: two clients register the same new name with different passwords at once. */
const registrationRace: Attack = {
  name: 'registration race', pauseMs: 3_000,
  async round(ctx, tally, n) {
    for (let r = 0; r < 10 && !ctx.stopping(); r++) {
      const name = `race${n}x${r}`;
      const pair = await Promise.all([0, 1].map(i => RawClient.open(ctx.base, address(72, (n * 20 + r * 2 + i) % ADDRESSES))));
      for (const c of pair) c.hello();
      await Promise.all(pair.map(c => c.waitFor(f => f.op === 'hello')));
      pair.forEach((c, i) => c.send({ op: 'auth', user: name, password: `password number ${i} of ${name}` }));
      const answers = await Promise.all(pair.map(c => c.authAnswer()));
      const wins = answers.filter(a => a === 'signed-in').length;
      count(tally, wins === 1 ? 'one won' : wins === 2 ? 'BOTH WON' : `none won (${answers.join(', ')})`);
      for (const c of pair) c.end();
    }
  },
};

/** A name as a tally key: anything outside printable ASCII as \uXXXX, so no bidi mark reverses the report. */
const visible = (s: string) => s.replace(/[^\x20-\x7e]/g, ch => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** Issue items 7 and 11: names that look like the honest `alice` and `bobby`, and names with hidden marks. */
const lookAlikes: Attack = {
  name: 'look-alike and hidden-mark names', pauseMs: 5_000,
  async round(ctx, tally, n) {
    const names = ['\u0430lice', 'al\u0131ce', 'ALI\u0307CE', 'b\u03BFbby', 'Alice', '\u202Eecila', 'ali\u200Bce', `e${'\u0301'.repeat(24)}vil`];
    for (const [i, name] of names.entries()) {
      if (ctx.stopping()) return;
      const { client, answer } = await rawSignIn(ctx.base, address(73, (n * names.length + i) % ADDRESSES), name);
      count(tally, `${visible(name)} ${answer === 'signed-in' ? 'SIGNED IN' : answer}`);
      client?.end();
    }
  },
};

/** Oversize, binary and malformed frames on one connection, then one past the closing size. */
const badFrames: Attack = {
  name: 'oversize and malformed frames', pauseMs: 3_000,
  async round(ctx, tally, n) {
    const c = await RawClient.open(ctx.base, address(74, n % ADDRESSES));
    c.hello();
    await c.waitFor(f => f.op === 'hello');
    const bad: (string | Buffer)[] = [
      'x'.repeat(70 * 1024), Buffer.from([0, 1, 2, 3]), '{"op":', 'null', '[]', '"hello"', '{"op":"nope"}',
      '{"op":"event"}', '{"op":"ack","seq":-1}', '{"op":"ack","seq":1e308}', '{"op":"hello","version":1}',
      '['.repeat(5000) + ']'.repeat(5000), `{"op":"input","id":"w1","value":"${'\\ud800'.repeat(100)}"}`,
      `{"op":"get","after":0,"extra":${JSON.stringify('y'.repeat(1000))}}`,
    ];
    for (const b of bad) c.ws.send(b);
    await until(() => c.frames.filter(f => f.op === 'error').length >= bad.length || c.closed !== null, 5_000);
    for (const f of c.frames) if (f.op === 'error') count(tally, `error:${f.code}`);
    if (!c.closed) {
      c.ws.send('z'.repeat(300 * 1024));
      await until(() => c.closed !== null, 5_000);
    }
    count(tally, c.closed ? `closed by server ${c.closed.code}` : 'open after a 300 KiB frame');
    c.end();
  },
};

/**
 * Issue item 11: a signed-in user posts bidi overrides, zero-width characters and 1,000 combining
 * marks into `general`, where honest users read (at 1 message per round, under the chat's own limit).
 */
const hostileText: Attack = {
  name: 'hostile text in general', pauseMs: 15_000,
  async round(ctx, tally, n) {
    const from = address(75, n % ADDRESSES);
    const { client } = await rawSignIn(ctx.base, from, `mark${n}`);
    if (!client) return count(tally, 'not signed in');
    const ids = (name: string) => [...client.frames].reverse().find(f => f.op === 'new' && f.attrs?.name === name)?.id;
    await client.waitFor(f => f.op === 'new' && f.attrs?.name === 'send');
    const texts = [`\u202Eevil\u202C \u2066isolate\u2069 zero\u200Bwidth\uFEFF`, `Z${'\u0301\u0336'.repeat(500)}`];
    const text = texts[n % texts.length];
    client.send({ op: 'event', id: ids('send'), name: 'click', state: { [ids('message')!]: text } });
    await sleep(1000);
    for (const f of client.frames) if (f.op === 'error') count(tally, `error:${f.code}`);
    count(tally, 'messages posted');
    client.end();
  },
};

export function attacks(o: { pollHellos: number }): Attack[] {
  return [getFlood, pollFlood(o.pollHellos), silent, protoNames, authFlood, registrationRace, lookAlikes, badFrames, hostileText];
}

/** Runs an attack round after round until `ctx.stopping()`; a round that throws is counted, not fatal. */
export async function loop(attack: Attack, ctx: AttackContext, tally: Tally): Promise<void> {
  for (let n = 0; !ctx.stopping(); n++) {
    try {
      await attack.round(ctx, tally, n);
      count(tally, 'rounds');
    } catch (err) {
      count(tally, `round failed: ${(err as Error).message.slice(0, 80)}`);
    }
    await until(() => false, attack.pauseMs, ctx.stopping);
  }
}
