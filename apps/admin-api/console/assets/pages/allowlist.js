// Authorized User IDs and the space allowlist of one connection: list, remove with confirmation, add by ID.
import { del, enc, get, listOf, post } from '../api.js';
import { announce, h, swap } from '../dom.js';
import { ago, cleanName, fullDate, personLabel, platformName, spaceKindName } from '../format.js';
import { busy, confirmDialog, copyButton, errorNotice, notice } from '../ui.js';

/** Where an admin finds a user ID when pairing by code is not possible. */
const USER_ID_HINTS = {
  telegram: 'the numeric user ID (not the @username)',
  discord: 'the user ID (Developer Mode on, then right-click the user → Copy User ID)',
  slack: 'the member ID, U… or W… (profile → ⋯ → Copy member ID)',
  mattermost: 'the 26-character user ID (System Console → Users)',
  feishu: 'the open_id of the user for this bot’s app (ou_…)',
  line: 'the userId, U followed by 32 hex characters',
};

const TEXT = {
  user: {
    title: 'Authorized User IDs',
    path: 'users',
    empty: 'Nobody is authorized yet: the bot ignores everyone. Pair a user with a code above, or add a user ID below.',
    remove: (x) => `Remove ${cleanName(x.displayName) || x.id}?`,
    removeBody: 'They will be ignored by this bot from their next message on. You can pair them again later.',
    added: (x) => `Added user ${personLabel(x.displayName, x.id)}`,
  },
  space: {
    title: 'Space allowlist',
    path: 'spaces',
    empty: 'No shared space is allowed: the bot only answers authorized users in direct messages. Pair a space with a space code, or add a space ID below.',
    remove: (x) => `Remove ${x.title || x.id}?`,
    removeBody: 'Messages in this space will be ignored, even from authorized users.',
    added: (x) => `Added space ${x.title || x.id}`,
  },
};

export function allowlistSection(section, { kind, connection: c, base, spaceKinds = [] }) {
  const t = TEXT[kind];
  const headingId = `h-${t.path}`;
  const list = h('div', { id: `${t.path}-list` });
  const status = h('div', { 'aria-live': 'polite' });

  function item(x) {
    const name = kind === 'user' ? cleanName(x.displayName) || '(no name)' : cleanName(x.title) || spaceKindName(x.kind);
    const removeButton = h('button', {
      type: 'button', class: 'danger small', 'data-key': `${t.path}-remove-${x.id}`,
      'aria-label': `Remove ${name} (${x.id})`,
      onclick: async () => {
        if (!(await confirmDialog({ title: t.remove(x), body: t.removeBody, confirm: 'Remove' }))) return;
        await busy(removeButton, async () => {
          try {
            await del(`${base}/${t.path}/${enc(x.id)}`);
            announce(`Removed ${name}`);
            await load();
          } catch (e) {
            swap(status, errorNotice('Could not remove', e));
          }
        });
      },
    }, 'Remove');
    const how = x.how === 'pairing' ? 'paired with a code' : x.how === 'manual' ? 'added by ID' : x.how;
    return h('li', { class: 'entry', 'data-id': x.id },
      h('div', { class: 'entry-main' },
        h('strong', { class: 'name' }, name),
        kind === 'user' && x.username ? h('span', { class: 'muted' }, ` @${x.username}`) : null,
        kind === 'space' ? h('span', { class: 'muted' }, ` ${spaceKindName(x.kind)}`) : null,
        h('div', {}, h('code', { class: 'id' }, x.id), ' ', copyButton(x.id, kind === 'user' ? 'user ID' : 'space ID', `${t.path}-copy-${x.id}`)),
        h('div', { class: 'muted small' },
          `${how[0]?.toUpperCase()}${how.slice(1)} `,
          h('time', { datetime: x.approvedAt, title: fullDate(x.approvedAt) }, ago(x.approvedAt)),
          x.approvedBy ? ` by ${x.approvedBy}` : '',
          x.pairedBy ? ` · code posted by ${personLabel(x.pairedBy.displayName, x.pairedBy.id)}` : ''),
      ),
      removeButton,
    );
  }

  async function load() {
    try {
      const items = listOf(await get(`${base}/${t.path}`), t.path);
      swap(list, items.length
        ? h('ul', { class: 'entries', 'aria-labelledby': headingId }, items.map(item))
        : notice('info', t.empty));
    } catch (e) {
      swap(list, errorNotice(`Could not load the ${t.title.toLowerCase()}`, e));
    }
  }

  const idInput = h('input', { id: `${t.path}-add-id`, name: 'id', required: true, spellcheck: 'false', autocomplete: 'off' });
  const nameInput = h('input', { id: `${t.path}-add-name`, name: 'name', autocomplete: 'off' });
  const kindSelect = kind === 'space'
    ? h('select', { id: 'spaces-add-kind', name: 'kind' }, spaceKinds.map((k) => h('option', { value: k }, spaceKindName(k))))
    : null;
  const addButton = h('button', { type: 'submit', class: 'secondary' }, kind === 'user' ? 'Add user' : 'Add space');
  const form = h('form', {
    class: 'add-form', 'aria-label': kind === 'user' ? 'Add a user by ID' : 'Add a space by ID',
    onsubmit: (e) => {
      e.preventDefault();
      const id = idInput.value.trim();
      if (!id) {
        swap(status, notice('error', 'Enter an ID.'));
        idInput.focus();
        return;
      }
      const label = nameInput.value.trim();
      const body = kind === 'user'
        ? { id, ...(label ? { displayName: label } : {}) }
        : { id, kind: kindSelect.value, ...(label ? { title: label } : {}) };
      busy(addButton, async () => {
        try {
          await post(`${base}/${t.path}`, body);
          swap(status, notice('ok', t.added({ id, displayName: label, title: label })));
          announce(t.added({ id, displayName: label, title: label }));
          form.reset();
          await load();
        } catch (err) {
          swap(status, errorNotice('Could not add', err));
        }
      });
    },
  },
  h('div', { class: 'field-row' },
    kindSelect ? h('div', {}, h('label', { for: 'spaces-add-kind' }, 'Kind'), kindSelect) : null,
    h('div', {}, h('label', { for: idInput.id }, kind === 'user' ? 'User ID' : 'Space ID'), idInput),
    h('div', {}, h('label', { for: nameInput.id }, kind === 'user' ? 'Display name (optional)' : 'Name (optional)'), nameInput),
    addButton,
  ));

  swap(section,
    h('h2', { id: headingId }, t.title),
    list,
    h('details', { class: 'add' },
      h('summary', {}, kind === 'user' ? 'Add a user by ID' : 'Add a space by ID'),
      h('p', { class: 'hint' }, kind === 'user'
        ? [`When someone cannot send a code, add ${platformName(c.platform)} ${USER_ID_HINTS[c.platform] ?? 'user ID'}. `,
            'Easier: have them message the bot, then allow them from ', h('a', { href: '/console/activity/attention' }, 'Activity → Attention'), '.']
        : ['Add the ID of the ', spaceKinds.map(spaceKindName).join(' or '), '. Anyone who messages the bot there shows up in ',
            h('a', { href: '/console/activity/attention' }, 'Activity → Attention'), ' with the space ID.']),
      form),
    status,
  );
  return { load };
}
