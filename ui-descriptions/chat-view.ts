// How the chat is shown on the main screen: channel list, messages, who is here, announcements.
import type { ChannelEvent, GlobalEvent } from '../chat/bus.ts';
import { nameKey } from '../chat/names.ts';
import type { Attributes } from '../core/values.ts';
import type { Message } from '../chat/store.ts';
import { loginOf, type ChatUi } from './state.ts';

/** "Here now" lists this many names, then how many more there are. */
export const SHOWN_USERS = 50;

const messageValue = (id: number) => `m${id}`;

function hhmm(at: number): string {
  const d = new Date(at);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

type ItemAttrs = Readonly<Attributes & { value: string }>;

// One frozen item per message (and one for its author, marked mine), shared by every session
// that shows it: the chat hands everyone the same message object.
const messageItems = new WeakMap<Message, { theirs: ItemAttrs; mine?: ItemAttrs }>();

function messageItem(ui: ChatUi, m: Message): ItemAttrs {
  let shared = messageItems.get(m);
  if (!shared) {
    shared = { theirs: Object.freeze({ value: messageValue(m.id), text: m.text, author: m.author, time: hhmm(m.at), mine: false, system: false }) };
    messageItems.set(m, shared);
  }
  if (m.authorKey !== ui.state.login?.key) return shared.theirs;
  return (shared.mine ??= Object.freeze({ ...shared.theirs, mine: true }));
}

/** An announcement or a refusal, shown in the message list (which keeps its last 100 entries). */
export function note(ui: ChatUi, text: string, at = Date.now()) {
  ui.add('messages', { value: `n${++ui.state.notes}`, text, author: '', time: hhmm(at), mine: false, system: true });
}

// "Here now" entries, one frozen object per name, shared by every session.
const userItems = new Map<string, ItemAttrs>();
function userItem(name: string): ItemAttrs {
  let item = userItems.get(name);
  if (!item) {
    if (userItems.size > 10_000) userItems.clear();
    item = Object.freeze({ value: `u:${nameKey(name)}`, text: name });
    userItems.set(name, item);
  }
  return item;
}

/** Shows the first names of the channel's people, and how many more there are. */
function renderUsers(ui: ChatUi) {
  const channel = ui.state.channel;
  if (!channel) return;
  const everyone = ui.state.chat.present(channel.key);
  const wanted = everyone.slice(0, SHOWN_USERS).map(userItem);
  const more = everyone.length - wanted.length;
  if (more > 0) wanted.push({ value: `+${more}`, text: ui.t('and {count} more', { count: more }) });
  const values = new Set(wanted.map(w => w.value));
  for (const v of ui.items('users')) if (!values.has(v)) ui.removeItem('users', v);
  const have = ui.items('users');
  // Insert what is missing, in order, before the first entry that should follow it.
  let j = 0;
  for (const w of wanted) {
    if (have[j] === w.value) { j++; continue; }
    ui.add('users', w, { before: have[j] });
  }
}

export async function enterMain(ui: ChatUi) {
  const { chat } = ui.state;
  const login = loginOf(ui);
  ui.show('main');
  ui.set('me', 'text', ui.t('Signed in as {name}', { name: login.name }));
  // Subscribe first, so that a grant or a new channel arriving while we read is not missed.
  // Only what this screen shows becomes a task: with thousands of sessions, a task per session
  // for an event it ignores is thousands of tasks for nothing.
  ui.state.subscriptions.push(await chat.bus.subscribeGlobal(e => { if (shows(ui, e)) ui.post(() => onGlobal(ui, e)); }));
  await showPermissions(ui);
  for (const ch of await chat.listChannels()) ui.add('channels', { value: ch.key, text: ch.name });
  await chat.connect(login, ui.state.presenceId);
  await openChannel(ui, (await chat.lastChannel(login)).key);
}

/** Shows the buttons of what the user may do now: at entry, and each time it changes. */
export async function showPermissions(ui: ChatUi) {
  const may = await ui.state.chat.permissions(loginOf(ui));
  ui.set('open-new-channel', 'visible', may.createChannels);
  ui.set('open-send-alert', 'visible', may.admin);
  ui.set('open-register', 'visible', !may.registered);
}

/** Whether this session shows `e`: not presence, and only its own user's permissions. */
function shows(ui: ChatUi, e: GlobalEvent): boolean {
  if (e.type === 'presence') return false;
  return e.type !== 'permissions' || e.key === ui.state.login?.key;
}

export async function openChannel(ui: ChatUi, key: string) {
  const { chat } = ui.state;
  const login = loginOf(ui);
  const channel = await chat.channel(key);
  if (ui.state.channel?.key === channel.key) return;
  await leaveChannel(ui);
  ui.state.channel = channel;
  // Subscribe before reading the history so that nothing sent in between is missed;
  // what arrives twice is recognised by its id (`lastShown`).
  ui.state.channelSubscription = await chat.bus.subscribeChannel(channel.key, e => ui.post(() => onChannel(ui, e)));
  ui.set('topic', 'text', `# ${channel.name}`);
  ui.set('channels', 'selected', channel.key);
  await showLatest(ui);
  await chat.join(login, channel.key, ui.state.presenceId);
  renderUsers(ui);
}

export async function leaveChannel(ui: ChatUi) {
  const { chat, channel, login } = ui.state;
  if (!channel || !login) return;
  ui.state.channel = null;
  await ui.state.channelSubscription?.();
  ui.state.channelSubscription = undefined;
  await chat.leave(login, channel.key, ui.state.presenceId);
}

export async function showLatest(ui: ChatUi) {
  const channel = ui.state.channel!;
  const page = await ui.state.chat.history(channel.key);
  showPage(ui, page, false);
}

export async function showOlder(ui: ChatUi) {
  const channel = ui.state.channel;
  // The oldest message shown is the first message item (announcements start with n).
  const oldest = ui.items('messages').find(v => v.startsWith('m'));
  if (!channel || !oldest) return note(ui, ui.t('No older messages.'));
  const page = await ui.state.chat.history(channel.key, Number(oldest.slice(1)));
  if (!page.length) return note(ui, ui.t('No older messages.'));
  showPage(ui, page, true);
}

function showPage(ui: ChatUi, page: readonly Message[], paging: boolean) {
  ui.clearItems('messages');
  for (const m of page) ui.add('messages', messageItem(ui, m));
  ui.state.paging = paging;
  if (!paging) ui.state.lastShown = page.at(-1)?.id ?? 0;
  ui.set('latest', 'visible', paging);
}

function onChannel(ui: ChatUi, e: ChannelEvent) {
  const channel = ui.state.channel;
  // Events of a channel this session has just left may still be queued: drop them.
  if (!channel || (e.type === 'message' ? e.message.channel : e.channel) !== channel.key) return;
  switch (e.type) {
    case 'message':
      // Subscribed before the history was read: what the history brought already is skipped.
      if (ui.state.paging || e.message.id <= ui.state.lastShown) return;
      ui.state.lastShown = e.message.id;
      ui.add('messages', messageItem(ui, e.message));
      return;
    case 'deleted':
      ui.removeItem('messages', messageValue(e.id));
      return;
    case 'joined':
      note(ui, ui.t('* {name} has joined', { name: e.name }), e.at);
      renderUsers(ui);
      return;
    case 'left':
      note(ui, ui.t('* {name} has left', { name: e.name }), e.at);
      renderUsers(ui);
      return;
    case 'crowd':
      if (e.joined) note(ui, ui.t('* {count} people joined', { count: e.joined }), e.at);
      if (e.left) note(ui, ui.t('* {count} people left', { count: e.left }), e.at);
      renderUsers(ui);
      return;
  }
}

function onGlobal(ui: ChatUi, e: GlobalEvent): unknown {
  if (!ui.state.login) return;
  switch (e.type) {
    case 'channel-created':
      if (!ui.hasItem('channels', e.channel.key)) ui.add('channels', { value: e.channel.key, text: e.channel.name });
      return;
    case 'alert': {
      const from = ui.t('Alert from {name} at {time}', { name: e.alert.author, time: hhmm(e.alert.at) });
      // A front-end without popups (line mode) shows the alert in the conversation instead.
      if (!ui.can('popups')) return note(ui, `${from}: ${e.alert.text}`);
      return ui.popup('alert', { from: { text: from }, text: { text: e.alert.text } });
    }
    case 'permissions':
      return showPermissions(ui);
    case 'presence':
      return;
  }
}
