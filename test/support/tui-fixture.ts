// The fixture screen on this process's real terminal, with list entries given as JSON in
// PALAVER_ITEMS: lets a tmux test look at how a real terminal draws hostile text.
import { Session } from '../../core/session.ts';
import { BlessedDriver } from '../../drivers/tui/driver.ts';
import { openTerminal } from '../../drivers/tui/terminal.ts';
import { fixtureApp } from './fixture-app.ts';

const screen = openTerminal();
const driver = new BlessedDriver({ screen, languages: ['en'], onQuit: () => { screen.destroy(); process.exit(0); } });
const session = new Session(await fixtureApp(), driver);
await session.start({ name: 't', token: 't' });
const items = JSON.parse(process.env.PALAVER_ITEMS ?? '[]') as Record<string, string>[];
await session.run(() => { items.forEach((attrs, i) => session.add('list', { value: `v${i}`, ...attrs })); });
