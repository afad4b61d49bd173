// `palaver line --url …`: the line-mode front-end connected to a server over the wire protocol,
// as a browser tab is: cookie in memory, resume after a dropped connection with what it missed.
import { randomUUID } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import { WireClient } from '../../core/wire-client.ts';
import { WireSocket } from '../http/socket-client.ts';
import { LineDriver } from './driver.ts';

export async function runLineRemote(url: string, input: Readable, output: Writable, languages: readonly string[]): Promise<void> {
  let quit!: () => void;
  const done = new Promise<void>(r => (quit = r));
  const say = (line: string) => output.write(`${line}\n`);
  let lastState = '';
  const wire = new WireSocket(url, {
    reconnect: true,
    onState: state => {
      // Said once per change, and not the first connection's: a script reads only what matters.
      if (state === lastState) return;
      if (state === 'reconnecting' && lastState === 'online') say('(connection lost; reconnecting…)');
      if (state === 'online' && lastState === 'reconnecting') say('(connected again)');
      lastState = state;
    },
  });
  const driver = new LineDriver({ input, output, languages, onQuit: () => quit() });
  const client = new WireClient(driver, {
    tab: randomUUID(),
    onCredential: ticket => { void wire.redeem(ticket).catch(err => driver.error('credential', String(err))); },
    onProtocolError: message => driver.error('protocol', message),
    onBye: reason => { say(`(the server ended this session: ${reason})`); quit(); },
  });
  wire.use(client);
  await client.start();
  wire.start();
  await done;
  await wire.flushed();
  await wire.close();
}
