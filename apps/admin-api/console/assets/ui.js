// Reusable widgets: copy buttons, the confirmation dialog, notices and the countdown ticker.
import { announce, h } from './dom.js';
import { clock } from './format.js';

async function writeClipboard(text) {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  // Plain-http deployments have no Clipboard API: copy through a temporary selection instead.
  const area = h('textarea', { class: 'offscreen', readonly: true, 'aria-hidden': 'true' }, text);
  document.body.append(area);
  area.select();
  const ok = document.execCommand('copy');
  area.remove();
  if (!ok) throw new Error('copy refused');
}

/** A real button that copies `value`; `what` names it for screen readers ("Copy actor ID"). */
export function copyButton(value, what, key) {
  const button = h('button', {
    type: 'button',
    class: 'copy',
    'data-key': key,
    'data-copy': value,
    'aria-label': `Copy ${what}`,
    title: `Copy ${what}`,
    onclick: async () => {
      try {
        await writeClipboard(value);
        button.textContent = 'Copied';
        announce(`${what} copied`);
      } catch {
        button.textContent = 'Select and copy';
        announce(`Could not copy automatically; select the ${what} and copy it`);
      }
      setTimeout(() => (button.textContent = 'Copy'), 2000);
    },
  }, 'Copy');
  return button;
}

/** An ID shown in monospace with its copy button. */
export function idField(label, value, key, extra) {
  return h('div', { class: 'field' },
    h('dt', {}, label),
    h('dd', {}, h('code', { class: 'id' }, value), ' ', copyButton(value, label, key), extra ? h('span', { class: 'muted' }, ' ', extra) : null),
  );
}

export function notice(kind, ...children) {
  return h('div', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : undefined }, ...children);
}

export const errorNotice = (what, error) => notice('error', h('strong', {}, `${what}: `), error.message);

/** A modal confirmation built on <dialog> (focus trapped and Escape handled by the browser). */
export function confirmDialog({ title, body, confirm, danger = true }) {
  return new Promise((resolve) => {
    const dialog = h('dialog', { class: 'confirm', 'aria-labelledby': 'confirm-title' },
      h('form', { method: 'dialog' },
        h('h2', { id: 'confirm-title' }, title),
        h('p', {}, body),
        h('div', { class: 'actions' },
          h('button', { value: 'cancel', class: 'secondary', autofocus: true }, 'Cancel'),
          h('button', { value: 'ok', class: danger ? 'danger' : 'primary' }, confirm),
        ),
      ),
    );
    dialog.addEventListener('close', () => {
      resolve(dialog.returnValue === 'ok');
      dialog.remove();
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

/**
 * Runs `action` with the button disabled and marked busy, so a double click sends one command and the admin sees
 * that something is happening.
 */
export async function busy(button, action) {
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try {
    return await action();
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}

/**
 * Every element with data-expires shows the time left; when it runs out the ticker calls the element's
 * `onexpire` (set by the page) once. One interval for the whole page.
 */
let ticker;
export function startTicker() {
  if (ticker) return;
  const tick = () => {
    for (const el of document.querySelectorAll('[data-expires]')) {
      const left = Date.parse(el.dataset.expires) - Date.now();
      el.textContent = clock(left);
      if (left <= 0 && !el.dataset.expired) {
        el.dataset.expired = 'true';
        el.onexpire?.();
      }
    }
  };
  tick();
  ticker = setInterval(tick, 1000);
}

/** A countdown element (role=timer is not announced on each tick, which is what we want). */
export function countdown(expiresAt, onexpire) {
  const el = h('span', { class: 'countdown', role: 'timer', 'data-expires': expiresAt }, clock(Date.parse(expiresAt) - Date.now()));
  el.onexpire = onexpire;
  return el;
}
