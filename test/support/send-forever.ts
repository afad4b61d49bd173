// Child process for the crash test: sends messages as fast as it can and prints each id once
// its send has returned. The parent kills it with SIGKILL mid-stream.
import { openChat } from './chat.ts';

const { chat } = await openChat(process.argv[2], { messageLimit: { count: 1e9, windowMs: 1000 } });
const login = await chat.signIn('crasher');
for (let i = 0; ; i++) {
  const m = await chat.send(login, 'general', `message ${i} ${'x'.repeat(200)}`);
  process.stdout.write(`${m.id}\n`);
}
