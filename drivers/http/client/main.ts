// The browser client: a DOM driver fed by the wire protocol.
import { WireClient } from '../../../core/wire-client.ts';
import { Connector, type ConnectionState } from './connection.ts';
import { DomDriver } from './dom-driver.ts';

const TAB_KEY = 'palaver.tab';

function tabId(): string {
  let id = sessionStorage.getItem(TAB_KEY);
  if (!id) { id = crypto.randomUUID(); sessionStorage.setItem(TAB_KEY, id); }
  return id;
}

const WORDS: Record<string, Partial<Record<ConnectionState, string>>> = {
  en: { connecting: 'Connecting…', reconnecting: 'Reconnecting…', ended: 'Session ended' },
  ru: { connecting: 'Подключение…', reconnecting: 'Переподключение…', ended: 'Сеанс завершён' },
  zh: { connecting: '正在连接…', reconnecting: '正在重新连接…', ended: '会话已结束' },
};
const words = WORDS[(navigator.language || 'en').slice(0, 2)] ?? WORDS.en;

const status = document.getElementById('connection')!;
function showConnection(state: ConnectionState) {
  document.body.dataset.connection = state;
  status.textContent = words[state] ?? '';
  status.hidden = state === 'online';
}

const toast = document.getElementById('toast')!;
let toastTimer: ReturnType<typeof setTimeout> | undefined;
function notify(message: string) {
  toast.textContent = message;
  toast.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { toast.hidden = true; }, 4000);
}
toast.hidden = true;

const driver = new DomDriver(document.getElementById('app')!, notify);
const tab = tabId();
const client = new WireClient(driver, {
  tab,
  onCredential: ticket => {
    void fetch('/auth', { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ticket }) });
  },
  onBye: () => showConnection('ended'),
});
// The last seq applied, on the page: handy when debugging, and tests wait on it.
const receive = client.receive.bind(client);
client.receive = text => { receive(text); document.body.dataset.seq = String(client.lastSeq); };
addEventListener('pagehide', () => driver.flushInput());
await client.start();
new Connector(client, tab, showConnection).start();
