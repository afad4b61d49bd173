// Network plumbing for the soak run: every client binds its own loopback source address
// (127.0.0.0/8 is all loopback on Linux), so that the server's per-address limits see honest
// users and each attack as different households, as they would be on the open internet.
import http from 'node:http';
import WebSocket from 'ws';

/** The i-th address of a group: 127.<group>.<1..250>.<1..250>, never a .0 or .255. */
export function address(group: number, i: number): string {
  return `127.${group}.${1 + Math.floor(i / 250) % 250}.${1 + (i % 250)}`;
}

export interface HttpAnswer { status: number; setCookie: string[]; body: string }

const agents = new Map<string, http.Agent>();
const agentFor = (localAddress: string) => {
  let a = agents.get(localAddress);
  if (!a) agents.set(localAddress, (a = new http.Agent({ keepAlive: true, maxSockets: 16 })));
  return a;
};

/** POSTs JSON from a given source address; never rejects on an HTTP status, only on a network error. */
export function postJson(base: string, path: string, body: unknown, o: { localAddress: string; cookie?: string | null; timeoutMs?: number }): Promise<HttpAnswer> {
  const url = new URL(path, base);
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: 'POST', localAddress: o.localAddress, agent: agentFor(o.localAddress),
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), ...(o.cookie ? { cookie: o.cookie } : {}) },
    }, res => {
      const chunks: Buffer[] = [];
      res.on('data', c => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, setCookie: ([] as string[]).concat(res.headers['set-cookie'] ?? []), body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.setTimeout(o.timeoutMs ?? 30_000, () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(data);
  });
}

/** Redeems a credential ticket at /auth; returns the `name=value` cookie to send (null if cleared). */
export async function redeem(base: string, ticket: string, localAddress: string, cookie: string | null): Promise<string | null> {
  const res = await postJson(base, '/auth', { ticket }, { localAddress, cookie });
  if (res.status !== 204) throw new Error(`/auth answered ${res.status}`);
  const pair = res.setCookie.find(c => c.startsWith('palaver='))?.split(';')[0];
  if (pair === undefined) return cookie;
  return pair === 'palaver=' ? null : pair;
}

/** Opens a WebSocket to /session from `localAddress`; resolves once open, rejects if refused. */
export function openSocket(base: string, localAddress: string, cookie?: string | null): Promise<WebSocket> {
  const url = new URL('/session', base);
  url.protocol = 'ws:';
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { localAddress, perMessageDeflate: false, headers: cookie ? { cookie } : {} });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => { reject(new Error(`upgrade refused: ${res.statusCode}`)); ws.terminate(); });
  });
}

export const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/** Polls `pred` every 20 ms until it holds or the deadline passes; returns whether it held. */
export async function until(pred: () => boolean, timeoutMs: number, stop?: () => boolean): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > end || stop?.()) return false;
    await sleep(20);
  }
  return true;
}
