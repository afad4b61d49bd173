// The floor: a minimal ws broadcast server, what Node and ws alone can do. Every text frame a
// client sends goes to every other client. No history, no sessions, no resume.
import { WebSocketServer, WebSocket } from 'ws';
import { announce } from './control.ts';

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
await new Promise(r => wss.once('listening', r));
wss.on('connection', ws => {
  ws.on('message', (data, isBinary) => {
    for (const c of wss.clients) if (c !== ws && c.readyState === WebSocket.OPEN) c.send(data, { binary: isBinary });
  });
});
announce((wss.address() as { port: number }).port, () => new Promise(r => wss.close(() => r())));
