// Activity → Attention: who was turned away, grouped, newest first, with one-click allow. Live over SSE.
import { enc, get, listOf, post } from '../api.js';
import { announce, h, swap } from '../dom.js';
import {
  ago, cleanName, connectionLabel, conversationKindName, fullDate, personLabel, platformName, reasonText, spaceKindName, threadWord,
} from '../format.js';
import { debounce, onLive } from '../live.js';
import { busy, confirmDialog, copyButton, errorNotice, notice } from '../ui.js';

const PAGE = 50;

export function renderAttention(main, { connections, refreshNav }) {
  const byId = new Map(connections.map((c) => [c.id, c]));
  const params = new URLSearchParams(location.search);
  let filter = byId.has(params.get('connection')) ? params.get('connection') : '';
  let shown = PAGE;

  const select = h('select', { id: 'attention-filter', name: 'connection' },
    h('option', { value: '' }, 'All platforms'),
    connections.map((c) => h('option', { value: c.id, selected: c.id === filter }, connectionLabel(c))));
  select.addEventListener('change', () => {
    filter = select.value;
    shown = PAGE;
    const url = new URL(location.href);
    if (filter) url.searchParams.set('connection', filter);
    else url.searchParams.delete('connection');
    history.replaceState(null, '', url);
    load();
  });

  const list = h('div', { id: 'attention-list' });
  const more = h('div');
  const summary = h('p', { class: 'muted', 'aria-live': 'polite', id: 'attention-summary' });
  swap(main,
    h('p', { class: 'crumbs' }, 'Activity › Attention'),
    h('h1', {}, 'Attention'),
    h('p', { class: 'lead' }, 'Messages the bots ignored, grouped by person, conversation and reason. Nothing was answered; allow someone here and their next message goes through.'),
    h('div', { class: 'row filter' }, h('label', { for: 'attention-filter' }, 'Platform'), select, summary),
    list,
    more,
  );

  let known;
  const allowed = new Map(); // connection → { users: Set, spaces: Set }

  async function loadAllowed(ids) {
    await Promise.all([...ids].map(async (id) => {
      const [users, spaces] = await Promise.all([
        get(`/connections/${enc(id)}/users`).catch(() => []),
        get(`/connections/${enc(id)}/spaces`).catch(() => []),
      ]);
      allowed.set(id, {
        users: new Set(listOf(users, 'users').map((u) => u.id)),
        spaces: new Set(listOf(spaces, 'spaces').map((s) => s.id)),
      });
    }));
  }

  function allowButton(g, what) {
    const isUser = what === 'user';
    const done = isUser ? allowed.get(g.connection)?.users.has(g.actorId) : allowed.get(g.connection)?.spaces.has(g.spaceId);
    if (done) return h('span', { class: 'allowed' }, isUser ? '✓ User allowed' : '✓ Space allowed');
    const label = isUser ? 'Allow this user' : 'Allow this space';
    const name = cleanName(g.displayName);
    const where = connectionLabel(byId.get(g.connection) ?? { id: g.connection, platform: g.connection });
    // The confirmation names the ID, the only identity: a name can be copied by anyone (L6).
    const confirmation = isUser
      ? {
          title: `Allow user ID ${g.actorId}?`,
          body: `Messages from ID ${g.actorId} on ${where} will reach the agent.${name ? ` “${name}” is only the name they chose to show; check the ID is the person you mean.` : ''}`,
          confirm: `Allow ${g.actorId}`,
          danger: false,
        }
      : { title: `Allow space ID ${g.spaceId}?`, body: `Allowed users will reach the agent inside space ${g.spaceId} on ${where}.`, confirm: `Allow ${g.spaceId}`, danger: false };
    const button = h('button', {
      type: 'button', class: isUser ? 'primary' : 'secondary', 'data-key': `${g.id}-allow-${what}`,
      'aria-label': `${label}: ${isUser ? personLabel(g.displayName, g.actorId) : g.spaceId}`,
      onclick: async () => {
        if (!(await confirmDialog(confirmation))) return;
        await busy(button, async () => {
          const base = `/connections/${enc(g.connection)}`;
          try {
            if (isUser) {
              await post(`${base}/users`, { id: g.actorId, ...(name ? { displayName: name } : {}), ...(g.username ? { username: g.username } : {}) });
            } else {
              await post(`${base}/spaces`, { id: g.spaceId, kind: g.spaceKind, ...(g.spaceTitle ? { title: g.spaceTitle } : {}) });
            }
            announce(`${isUser ? `${personLabel(g.displayName, g.actorId)} is` : `Space ${g.spaceId} is`} now allowed on ${where}`);
            reload();
          } catch (e) {
            button.after(errorNotice('Could not allow', e));
          }
        });
      },
    }, label);
    return button;
  }

  function groupCard(g) {
    const c = byId.get(g.connection) ?? { id: g.connection, platform: g.connection };
    const k = g.id;
    const field = (label, value, extra) => h('div', { class: 'field' },
      h('dt', {}, label),
      h('dd', {}, h('code', { class: 'id' }, value), ' ', copyButton(value, label, `${k}-${label}`), extra ? h('span', { class: 'muted' }, ` ${extra}`) : null));
    return h('li', { class: 'card group', 'data-group': g.id, 'data-actor': g.actorId },
      h('div', { class: 'group-head' },
        h('strong', { class: 'name' }, cleanName(g.displayName) || '(no name)'),
        g.username ? h('span', { class: 'muted' }, ` @${cleanName(g.username)}`) : null,
        h('span', { class: 'muted' }, ' ID ', h('code', { class: 'id' }, g.actorId)),
        h('span', { class: 'tag' }, connectionLabel(c)),
      ),
      h('p', { class: 'reason' }, reasonText(g.reason)),
      h('p', { class: 'muted small' },
        h('strong', { class: 'count' }, `${g.count} message${g.count === 1 ? '' : 's'}`), ' · last seen ',
        h('time', { datetime: g.lastSeen, title: fullDate(g.lastSeen) }, ago(g.lastSeen)),
        g.firstSeen && g.firstSeen !== g.lastSeen ? [' · first ', h('time', { datetime: g.firstSeen, title: fullDate(g.firstSeen) }, ago(g.firstSeen))] : ''),
      h('dl', { class: 'ids' },
        field('Actor ID', g.actorId),
        field(g.conversationKind === 'channel' ? 'Channel ID' : 'Conversation ID', g.conversationId, conversationKindName(g.conversationKind)),
        g.threadId ? field(threadWord(c.platform), g.threadId) : null,
        g.spaceId ? field('Space ID', g.spaceId, g.spaceTitle ? `${spaceKindName(g.spaceKind)} “${g.spaceTitle}”` : spaceKindName(g.spaceKind)) : null,
      ),
      h('div', { class: 'row' },
        allowButton(g, 'user'),
        g.spaceId ? allowButton(g, 'space') : null),
    );
  }

  async function load() {
    const q = new URLSearchParams({ section: 'attention', limit: String(shown) });
    if (filter) q.set('connection', filter);
    let page;
    try {
      page = await get(`/activity?${q}`);
    } catch (e) {
      swap(list, errorNotice('Could not load Attention', e));
      return;
    }
    const items = listOf(page, 'items');
    await loadAllowed(new Set(items.map((g) => g.connection)));
    if (known) {
      const fresh = items.filter((g) => !known.has(`${g.id}|${g.count}`));
      if (fresh.length) announce(`${fresh.length} new or updated denial group${fresh.length > 1 ? 's' : ''}: ${fresh.map((g) => personLabel(g.displayName, g.actorId)).join(', ')}`);
    }
    known = new Set(items.map((g) => `${g.id}|${g.count}`));
    summary.textContent = items.length ? `${items.length}${page?.nextCursor ? '+' : ''} group${items.length === 1 ? '' : 's'}` : '';
    swap(list, items.length
      ? h('ul', { class: 'groups' }, items.map(groupCard))
      : notice('info', h('strong', {}, 'Nobody was turned away. '),
          filter ? `No denied messages on ${platformName(byId.get(filter)?.platform ?? filter)}. ` : 'No denied messages. ',
          'When someone who is not allowed messages a bot, they show up here with their IDs so you can allow them in one click.'));
    swap(more, page?.nextCursor
      ? h('button', { type: 'button', class: 'secondary', onclick: () => { shown += PAGE; load(); } }, 'Show more')
      : null);
  }

  const reload = debounce(() => { load(); refreshNav(); }, 150);
  const stop = onLive((change) => {
    if (!filter || !change.connection || change.connection === filter) reload();
  });
  return load().then(() => stop);
}
