// `palaver tui --url …`: the terminal front-end connected to a server over the wire protocol,
// exactly as a browser tab is: it signs in through the same login screen, keeps its session
// cookie in memory, and resumes after a dropped connection with what it missed.
import { randomUUID } from 'node:crypto';
import type blessed from 'blessed';
import { WireClient } from '../../core/wire-client.ts';
import { WireSocket, type SocketState } from '../http/socket-client.ts';
import { BlessedDriver } from './driver.ts';

export interface RemoteTerminal {
  driver: BlessedDriver;
  wire: WireSocket;
  /** Resolves when the user has quit (Ctrl+C). */
  done: Promise<void>;
}

const STATES: Record<SocketState, string> = {
  connecting: 'Connecting…',
  online: 'Connected',
  reconnecting: 'Reconnecting…',
  closed: 'Disconnected',
};

export async function runRemote(url: string, screen: blessed.Widgets.Screen, languages: readonly string[]): Promise<RemoteTerminal> {
  let quit!: () => void;
  const done = new Promise<void>(r => (quit = r));
  const wire = new WireSocket(url, {
    reconnect: true,
    onState: (state, retry) => driver.setConnection(`${STATES[state]}${retry ? ` (in ${(retry / 1000).toFixed(1)} s)` : ''}  ${url}`),
  });
  const driver: BlessedDriver = new BlessedDriver({
    screen, languages,
    onQuit: () => {
      // The window's close event (sign-out) is on its way: let it leave before closing.
      void wire.flushed().then(() => new Promise(r => setTimeout(r, 150))).then(() => wire.close()).then(quit);
    },
  });
  const client = new WireClient(driver, {
    tab: randomUUID(),
    onCredential: ticket => { void wire.redeem(ticket).catch(err => driver.error('credential', String(err))); },
    onProtocolError: message => driver.error('protocol', message),
  });
  wire.use(client);
  await client.start();
  wire.start();     // the first connection retries like any other: the server may be starting
  return { driver, wire, done };
}
