// The peer: the usual design of a Node chat. Socket.IO with rooms and an in-memory list of the
// last 100 messages per room, sent to whoever joins.
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { announce, SEED, seedText } from './control.ts';

interface Message { id: number; room: string; author: string; text: string; at: number }

const history = new Map<string, Message[]>();
let nextId = 1;
const remember = (m: Message) => {
  const list = history.get(m.room) ?? [];
  list.push(m);
  if (list.length > 100) list.shift();
  history.set(m.room, list);
};
for (let i = 0; i < SEED; i++) remember({ id: nextId++, room: 'general', author: 'seeder', text: seedText(i), at: Date.now() });

const http = createServer();
const io = new Server(http, { transports: ['websocket'], maxHttpBufferSize: 64 * 1024 });
io.on('connection', socket => {
  let name = 'anonymous';
  socket.on('hello', (n: unknown) => { if (typeof n === 'string' && n.length <= 32) name = n; });
  socket.on('join', (room: unknown) => {
    if (typeof room !== 'string') return;
    void socket.join(room);
    socket.emit('history', history.get(room) ?? []);
  });
  socket.on('message', (m: { room?: unknown; text?: unknown }) => {
    if (typeof m?.room !== 'string' || typeof m.text !== 'string' || !m.text.trim() || m.text.length > 4000) return;
    const msg: Message = { id: nextId++, room: m.room, author: name, text: m.text, at: Date.now() };
    remember(msg);
    io.to(m.room).emit('message', msg);
  });
});
await new Promise<void>(r => http.listen(0, '127.0.0.1', r));
announce((http.address() as { port: number }).port, () => new Promise(r => { io.close(); r(); }));
