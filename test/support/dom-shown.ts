// Reads what the browser shows back into the driver-neutral picture of HeadlessDriver.shown().
// It reads only the DOM, never the client's own model. Kept as plain JavaScript source, since
// functions compiled by tsx carry helpers that do not exist inside the page.
export const DOM_SHOWN = `(() => {
  const KINDS = ['window', 'popup', 'vbox', 'hbox', 'label', 'button', 'textbox', 'listbox', 'item'];
  const kindOf = el => KINDS.find(k => el.classList.contains('w-' + k));
  const pic = el => {
    const kind = kindOf(el);
    const attrs = {};
    if (el.dataset.name) attrs.name = el.dataset.name;
    if (el.hidden) attrs.visible = false;
    switch (kind) {
      case 'window': attrs.title = document.title; break;
      case 'popup': attrs.title = el.querySelector('h2').textContent; break;
      case 'label': case 'button': attrs.text = el.textContent; break;
      case 'textbox': attrs.text = el.value; break;
      case 'listbox': {
        const sel = el.querySelector('[aria-selected=true]');
        if (sel) attrs.selected = sel.dataset.value ?? null;
        break;
      }
      case 'item':
        attrs.value = el.dataset.value ?? null;
        attrs.text = el.querySelector('.text')?.textContent ?? '';
        // Parts, by role: what the page shows of them.
        attrs.byline = el.querySelector('.byline')?.textContent ?? '';
        attrs.timestamp = el.querySelector('.timestamp')?.textContent ?? '';
        attrs.own = el.classList.contains('own');
        attrs.announcement = el.classList.contains('announcement');
        break;
    }
    const box = kind === 'window' || kind === 'popup' ? el.querySelector(':scope > .body') : el;
    const children = kind === 'item' ? [] : [...box.children].filter(c => kindOf(c)).map(pic);
    return { kind, attrs, children };
  };
  return [...document.querySelectorAll('#app > main.w-window, dialog[open].w-popup')].map(pic);
})()`;
