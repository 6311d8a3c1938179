// The console shell: session check, navigation, client-side routing between the console pages, live updates.
import { csrf, del, get, listOf, toLogin } from './api.js';
import { h, swap } from './dom.js';
import { connectionLabel } from './format.js';
import { connectLive, debounce, onLive } from './live.js';
import { startTicker } from './ui.js';
import { renderOverview } from './pages/overview.js';
import { connectionStatus, refreshStatuses } from './pages/status.js';
import { renderMessaging } from './pages/messaging.js';
import { renderAttention } from './pages/attention.js';
import { renderAgent } from './pages/agent.js';

const main = document.getElementById('main');

const state = { connections: [], cleanup: undefined };

/** How often the console re-reads the connections while visible, so a gateway starting or stopping shows up. */
const STATUS_POLL_MS = 10_000;

async function loadConnections() {
  const fresh = listOf(await get('/connections'), 'connections');
  // The open page holds these objects: update them in place so it sees the new status too.
  const known = new Map(state.connections.map((c) => [c.id, c]));
  state.connections = fresh.map((c) => Object.assign(known.get(c.id) ?? {}, c));
  return state.connections;
}

function statusDot(c) {
  const s = connectionStatus(c);
  return h('span', { class: `dot ${s.level}`, title: s.title }, h('span', { class: 'offscreen' }, `${s.title}: `));
}

function renderNav() {
  const list = document.getElementById('nav-connections');
  swap(list, state.connections.map((c) => {
    const pending = c.counts?.pendingObservations ?? 0;
    return h('li', {},
      h('a', { href: `/console/settings/messaging/${encodeURIComponent(c.id)}`, 'data-nav': `messaging/${c.id}` },
        statusDot(c), connectionLabel(c),
        pending ? h('span', { class: 'badge', 'aria-label': `${pending} waiting for approval` }, String(pending)) : null),
    );
  }));
  const groups = state.connections.reduce((n, c) => n + (c.counts?.attentionGroups ?? 0), 0);
  const badge = document.getElementById('attention-count');
  badge.hidden = groups === 0;
  badge.textContent = String(groups);
  badge.setAttribute('aria-label', `${groups} groups`);
  markCurrent();
}

function markCurrent() {
  for (const a of document.querySelectorAll('#nav a')) {
    if (a.getAttribute('href') === location.pathname) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

const refreshNav = debounce(() => loadConnections().then(() => {
  renderNav();
  refreshStatuses(state.connections);
}).catch(() => undefined), 300);

function route(path) {
  const m = path.match(/^\/console\/settings\/messaging\/([^/]+)\/?$/);
  if (m) {
    const id = decodeURIComponent(m[1]);
    const connection = state.connections.find((c) => c.id === id);
    return connection
      ? (el) => renderMessaging(el, { connection, refreshNav })
      : notFound(`There is no connection called “${id}”.`);
  }
  if (/^\/console\/settings\/agent\/?$/.test(path)) return (el) => renderAgent(el);
  if (/^\/console\/activity\/attention\/?$/.test(path)) {
    return (el) => renderAttention(el, { connections: state.connections, refreshNav });
  }
  if (/^\/console\/?$/.test(path)) return (el) => renderOverview(el, { connections: state.connections });
  return notFound('This page does not exist.');
}

const notFound = (message) => (el) => {
  swap(el, h('h1', {}, 'Not found'), h('p', {}, message, ' ', h('a', { href: '/console/' }, 'Back to the overview.')));
};

async function show({ focus }) {
  state.cleanup?.();
  state.cleanup = undefined;
  markCurrent();
  const page = route(location.pathname);
  state.cleanup = await page(main);
  if (focus) main.querySelector('h1')?.setAttribute('tabindex', '-1');
  if (focus) main.querySelector('h1')?.focus();
}

function interceptLinks() {
  document.addEventListener('click', (event) => {
    const a = event.target.closest?.('a[href^="/console"]');
    if (!a || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || a.target) return;
    event.preventDefault();
    if (a.getAttribute('href') !== location.pathname) history.pushState(null, '', a.getAttribute('href'));
    show({ focus: true });
  });
  window.addEventListener('popstate', () => show({ focus: true }));
}

async function logout() {
  await del('/session').catch(() => undefined);
  csrf.set('');
  location.assign('/login');
}

async function start() {
  let session;
  try {
    session = await get('/session');
  } catch {
    return; // api() already sent the admin to the login page on 401
  }
  if (session?.csrfToken) csrf.set(session.csrfToken);
  const admin = session?.admin;
  document.getElementById('admin-name').textContent = admin ? `Signed in as ${admin.name ?? admin.id ?? admin}` : '';
  document.getElementById('logout').addEventListener('click', logout);
  try {
    await loadConnections();
  } catch (e) {
    if (e.status === 401) return toLogin();
    swap(main, h('h1', {}, 'Twokey'), h('p', { class: 'notice error', role: 'alert' }, `Could not load the connections: ${e.message}`));
    return;
  }
  renderNav();
  interceptLinks();
  startTicker();
  connectLive();
  onLive(refreshNav);
  setInterval(() => document.visibilityState === 'visible' && refreshNav(), STATUS_POLL_MS);
  document.addEventListener('visibilitychange', () => document.visibilityState === 'visible' && refreshNav());
  await show({ focus: false });
  document.body.dataset.ready = 'true';
}

start();
