// A real Palaver server on a loopback port, over real SQLite in a temporary directory.
import { startServer, type ServeOptions } from '../../app/serve.ts';
import { tempDir } from './chat.ts';

export async function runServer(o: Partial<ServeOptions> = {}) {
  const options: ServeOptions = { host: '127.0.0.1', port: 0, dataDir: o.dataDir ?? (await tempDir('palaver-srv-')), admins: [], restrictChannels: false, detachedTtlMs: 10 * 60_000, ...o };
  let running = await startServer(options);
  const port = Number(new URL(running.url).port);
  const handle = {
    get url() { return running.url; },
    get server() { return running.server; },
    get chat() { return running.chat; },
    options,
    stop: () => running.stop(),
    /** Stops the server and starts a new one on the same port and data. */
    async restart() {
      await running.stop();
      running = await startServer({ ...options, port });
    },
  };
  return handle;
}
