// What the session-table, tab and origin tests share: the chat over real SQLite behind a real
// HttpServer with the options under test, and raw clients (WebSocket and long-poll) that can come
// from any loopback address (127.x.y.z), as clients behind different addresses would.
import { request } from 'node:http';
import { join } from 'node:path';
import WebSocket from 'ws';
import { Chat } from '../../chat/chat.ts';
import { MemoryBus } from '../../chat/bus.ts';
import { SqliteStore } from '../../chat/sqlite-store.ts';
import { HttpServer, type HttpServerOptions } from '../../drivers/http/server.ts';
import { createChatApp } from '../../ui-descriptions/app.ts';
import type { ChatState } from '../../ui-descriptions/state.ts';
import { tempDir } from '../support/chat.ts';

export type Frame = { op: string; code?: string; message?: string; id?: string; kind?: string; attrs?: Record<string, unknown>; attr?: string; value?: unknown; resumed?: boolean };

const stops: (() => Promise<void>)[] = [];

/** Stops every server started here (call from `after`). */
export async function stopAll() { for (const stop of stops.splice(0)) await stop(); }

/** A chat server on 127.0.0.1 with `opts`; `listenHost` to listen elsewhere. */
export async function chatServer(opts: Partial<HttpServerOptions<ChatState>> = {}, listenHost = '127.0.0.1') {
  const store = new SqliteStore(join(await tempDir('palaver-b-'), 'palaver.db'));
  const chat = await new Chat(store, new MemoryBus()).init();
  const server = await HttpServer.create({ app: await createChatApp(chat), secret: 'session-table-test-secret-0123456789', ...opts });
  const url = await server.listen(listenHost, 0);
  stops.push(async () => { await server.close(); chat.close(); await store.close(); });
  return { server, url, port: Number(new URL(url).port) };
}

/** Waits until `pred` holds, polling, or fails after `ms`. */
export async function until(pred: () => boolean, what: string, ms = 20_000) {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 20));
  }
}

/** A raw WebSocket client: every frame it got, and how it was closed. */
export async function socketClient(baseUrl: string, o: { localAddress?: string; headers?: Record<string, string> } = {}) {
  const url = new URL('/session', baseUrl); url.protocol = 'ws:';
  const ws = new WebSocket(url, { localAddress: o.localAddress, headers: o.headers });
  const frames: Frame[] = [];
  let closed: { code: number; reason: string } | null = null;
  ws.on('message', d => frames.push(JSON.parse(d.toString())));
  ws.on('close', (code, reason) => { closed = { code, reason: reason.toString() }; });
  await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  const c = {
    ws, frames,
    get closed() { return closed; },
    send: (f: object) => ws.send(JSON.stringify(f)),
    /** Says hello (with `tab` unless it is undefined) and waits for the answer. */
    async hello(tab: string | undefined, extra: object = {}) {
      const before = frames.length;
      c.send({ op: 'hello', version: 1, ...(tab === undefined ? {} : { tab }), languages: ['en'], ...extra });
      await until(() => frames.slice(before).some(f => f.op === 'hello' || f.op === 'error') || closed !== null, 'an answer to hello');
    },
    codes: () => frames.filter(f => f.op === 'error').map(f => f.code),
    close: () => new Promise<void>(r => { if (closed) r(); else { ws.once('close', () => r()); ws.close(); } }),
  };
  return c;
}

/** The id of the widget named `name` in the frames received, or undefined. */
export const widget = (frames: Frame[], name: string) => frames.findLast(f => f.op === 'new' && f.attrs?.name === name)?.id;

/** A long-poll client keeping its cookies, as a browser would (or not, with `cookies: false`). */
export function pollClient(baseUrl: string, o: { localAddress?: string; cookies?: boolean; origin?: string } = {}) {
  const jar = new Map<string, string>();
  return {
    jar,
    /** One POST /poll without waiting; the status and the frames answered. */
    async poll(tab: string, frames: object[]): Promise<{ status: number; frames: Frame[] }> {
      const body = JSON.stringify({ tab, frames, wait: false });
      const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
      const headers: Record<string, string> = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) };
      if (cookie) headers.cookie = cookie;
      if (o.origin) headers.origin = o.origin;
      return new Promise((resolve, reject) => {
        const req = request(new URL('/poll', baseUrl), { method: 'POST', headers, localAddress: o.localAddress, agent: false }, res => {
          if (o.cookies !== false) for (const c of res.headers['set-cookie'] ?? []) { const [k, v] = c.split(';')[0].split('='); jar.set(k, v); }
          let text = '';
          res.setEncoding('utf8');
          res.on('data', d => { text += d; });
          res.on('end', () => {
            try { resolve({ status: res.statusCode ?? 0, frames: res.statusCode === 200 ? JSON.parse(text) : [] }); } catch (e) { reject(e); }
          });
        });
        req.on('error', reject);
        req.end(body);
      });
    },
  };
}
