// A tiny application over the fixture descriptions, for the core's own tests.
import { fileURLToPath } from 'node:url';
import { Catalogs } from '../../core/i18n.ts';
import { loadLibrary, type Action } from '../../core/library.ts';
import { Session, type Application } from '../../core/session.ts';
import { HeadlessDriver } from '../../drivers/headless/driver.ts';

export const FIXTURE_DIR = fileURLToPath(new URL('../fixtures/ui/', import.meta.url));

export interface FixtureState { seen: string[]; answers: unknown[] }

export const fixtureActions: Record<string, Action<FixtureState>> = {
  'add-item': (ui) => {
    const text = String(ui.get('entry', 'text') ?? '');
    ui.state.seen.push(text);
    ui.add('list', { value: `i${ui.state.seen.length}`, text });
    ui.set('entry', 'text', '');
  },
  pick: (ui, ev) => { ui.set('status', 'text', `picked ${ev.item}`); },
  'confirm-remove': async (ui, ev) => {
    const answer = await ui.popup('confirm', { question: { text: `Remove ${ev.item}?` } });
    ui.state.answers.push(answer);
    if (answer === 'yes' && ev.item) ui.removeItem('list', ev.item);
  },
  'remove-self': (ui) => { ui.remove('self-destruct'); },
  ask: async (ui) => { ui.state.answers.push(await ui.popup('confirm', { question: { text: 'Sure?' } })); },
};

export async function fixtureApp(catalogs = new Catalogs({ ru: { Send: 'Отправить', Palaver: 'Палавер' } })): Promise<Application<FixtureState>> {
  return {
    library: await loadLibrary(FIXTURE_DIR, fixtureActions),
    catalogs,
    initialState: () => ({ seen: [], answers: [] }),
    start: (ui) => ui.show('main'),
  };
}

export async function startFixture(languages: string[] = ['en']) {
  const driver = new HeadlessDriver(languages);
  const errors: unknown[] = [];
  const session = new Session(await fixtureApp(), driver, { onError: e => errors.push(e) });
  await session.start({ name: 'tester', token: 'test-token' });
  await session.whenIdle();
  return { driver, session, errors };
}
