// A loopback TCP proxy whose connections a test can cut, as a network failure would.
import { createServer, connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** `target` may be a function: a proxy can be started before the server it fronts (whose origins list it). */
export async function startProxy(target: number | (() => number)) {
  const sockets = new Set<Socket>();
  let down = false;
  const server = createServer(client => {
    if (down) { client.destroy(); return; }
    const upstream = connect(typeof target === 'number' ? target : target(), '127.0.0.1');
    for (const s of [client, upstream]) { sockets.add(s); s.on('close', () => sockets.delete(s)); s.on('error', () => s.destroy()); }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    /** Drops every connection and refuses new ones until restore(). */
    cut() { down = true; for (const s of sockets) s.destroy(); },
    restore() { down = false; },
    close: () => new Promise<void>(r => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
  };
}
