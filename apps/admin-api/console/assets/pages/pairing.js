// The Pairing part of a messaging page: Generate (user or space) with the code, its countdown and the Telegram link;
// the live tokens; the observations awaiting Approve / Reject.
import { del, enc, get, listOf, post } from '../api.js';
import { announce, h, swap } from '../dom.js';
import {
  ago, cleanName, conversationKindName, personLabel, platformName, sameName, spaceKindName, telegramBotUsername, telegramDeepLink, threadWord,
} from '../format.js';
import { busy, copyButton, countdown, errorNotice, idField, notice } from '../ui.js';
import { latestTest } from './connection-test.js';

/** Codes live only in memory, per connection, until they expire: the API shows a code once. */
const generated = new Map();

const TTL_CHOICES = [1, 5, 10, 15, 30];

/** Returns { load } (re-reads the pairing row) and { renderCode } (after a connection test: the Telegram link). */
export function pairingSection(section, { connection: c, base, onDecided }) {
  let knownObservations;
  /** The connection's allowed users, to warn when an observation borrows one's name (M3). */
  let allowedUsers = [];

  const botUsername = () => telegramBotUsername(latestTest(c)?.bot);

  function revokeButton(tokenId, label) {
    const button = h('button', {
      type: 'button', class: 'secondary small', 'data-key': `revoke-${tokenId}`, 'aria-label': label,
      onclick: () => busy(button, async () => {
        try {
          await del(`${base}/pairing-tokens/${enc(tokenId)}`);
          if (generated.get(c.id)?.tokenId === tokenId) generated.delete(c.id);
          announce('Code revoked');
          await load();
        } catch (e) {
          button.after(errorNotice('Could not revoke', e));
        }
      }),
    }, 'Revoke');
    return button;
  }

  /** none | live | used (no longer among the live tokens) | expired (by this browser's clock). */
  function codeState(g) {
    if (!g) return 'none';
    if (g.used) return 'used';
    return Date.parse(g.expiresAt) <= Date.now() ? 'expired' : 'live';
  }

  function codePanel(g, state) {
    if (state === 'none') return null;
    if (state === 'used') {
      return notice('ok', h('strong', {}, 'Code used. '), 'The code is no longer live: whoever sent it is listed under Observed; Approve or Reject them there.');
    }
    if (state === 'expired') {
      return notice('warn', h('strong', {}, 'The code expired. '), 'Nobody sent it in time. Generate again and send the new code within the time shown.');
    }
    const bot = c.platform === 'telegram' && g.purpose === 'user' ? botUsername() : undefined;
    const link = bot ? telegramDeepLink(bot, g.code) : undefined;
    return h('div', { class: 'code-panel', id: 'code-panel' },
      h('p', { class: 'muted' }, g.purpose === 'user' ? 'User pairing code' : 'Space pairing code'),
      h('p', { class: 'code', id: 'pairing-code', tabindex: '-1', 'aria-label': `Pairing code ${g.code.split('').join(' ')}` }, g.code),
      h('div', { class: 'row' },
        copyButton(g.code, 'pairing code', 'copy-code'),
        revokeButton(g.tokenId, 'Revoke this code'),
        h('span', {}, 'Expires in ', countdown(g.expiresAt, renderCode))),
      h('p', {}, g.purpose === 'user'
        ? `Send it to the bot in a direct message on ${platformName(c.platform)} (“/start ${g.code}” works too). It works once.`
        : 'An authorized user posts it inside the group, server, workspace or team to allow. It works once.'),
      link
        ? h('p', {}, 'Telegram link: ', h('a', { href: link, id: 'deep-link', rel: 'noopener noreferrer', target: '_blank' }, link), ' ', copyButton(link, 'Telegram link', 'copy-link'))
        : c.platform === 'telegram' && g.purpose === 'user'
          ? h('p', { class: 'hint' }, 'Run the Connection test to get a one-tap Telegram link.')
          : null,
    );
  }

  /** Rebuilds the code panel only when its state changes, so live updates leave it (and its Copy button) alone. */
  function renderCode() {
    const g = generated.get(c.id);
    const state = codeState(g);
    const key = `${state}:${g?.tokenId ?? ''}:${state === 'live' ? botUsername() ?? '' : ''}`;
    if (codeSlot.dataset.state === key) return;
    codeSlot.dataset.state = key;
    if (state === 'expired') announce('The pairing code expired. Generate again.');
    swap(codeSlot, codePanel(g, state));
  }

  function generator() {
    const ttl = h('select', { id: 'ttl', name: 'ttl' },
      TTL_CHOICES.map((m) => h('option', { value: String(m * 60), selected: m === 5 }, `${m} min`)));
    const error = h('div', { 'aria-live': 'polite' });
    const button = h('button', { type: 'submit', class: 'primary', id: 'generate' }, 'Generate');
    const form = h('form', {
      class: 'generate', id: 'generate-form',
      onsubmit: (e) => {
        e.preventDefault();
        const purpose = new FormData(form).get('purpose');
        busy(button, async () => {
          swap(error);
          try {
            const r = await post(`${base}/pairing-tokens`, { purpose, ttlSeconds: Number(ttl.value) });
            generated.set(c.id, { ...r, purpose });
            announce(`Pairing code ${r.code} generated`);
            await load();
            document.getElementById('pairing-code')?.focus();
          } catch (err) {
            swap(error, err.status === 409
              ? notice('error', h('strong', {}, 'Too many live codes. '), 'At most 3 codes can wait at once; use one or let it expire, then Generate again.')
              : errorNotice('Could not generate a code', err));
          }
        });
      },
    },
    h('fieldset', {},
      h('legend', {}, 'Pair'),
      h('label', {}, h('input', { type: 'radio', name: 'purpose', value: 'user', checked: true }), ' a user (sent in a DM)'),
      h('label', {}, h('input', { type: 'radio', name: 'purpose', value: 'space' }), ' a space (posted inside it)'),
    ),
    h('div', { class: 'row' }, h('label', { for: 'ttl' }, 'Valid for'), ttl, button),
    error);
    return form;
  }

  function observationCard(o) {
    const key = `obs-${o.observationId}`;
    const out = h('div', { 'aria-live': 'polite' });
    const decide = (verb) => async (e) => busy(e.currentTarget, async () => {
      try {
        await post(`${base}/observations/${enc(o.observationId)}/${verb}`);
        if (generated.get(c.id)?.tokenId === o.tokenId) generated.delete(c.id);
        announce(verb === 'approve'
          ? `Approved ${personLabel(o.actor.displayName, o.actor.id)}; ${o.purpose === 'user' ? 'added to Authorized User IDs' : 'space added to the allowlist'}`
          : `Rejected the observation from ${personLabel(o.actor.displayName, o.actor.id)}`);
        onDecided();
      } catch (err) {
        swap(out, err.status === 409
          ? notice('error', h('strong', {}, 'Too late. '), 'This observation expired or was already decided. Generate a new code and have them send it again.')
          : errorNotice(`Could not ${verb}`, err));
      }
    });
    const conv = o.conversation ?? {};
    const namesakes = allowedUsers.filter((u) => u.id !== o.actor.id && sameName(u.displayName, o.actor.displayName));
    return h('li', { class: 'observation', 'data-observation': o.observationId },
      h('p', { class: 'who' },
        h('strong', { class: 'name' }, cleanName(o.actor.displayName) || '(no name)'),
        o.actor.username ? h('span', { class: 'muted' }, ` @${cleanName(o.actor.username)}`) : null,
        h('span', { class: 'muted' }, ' ID ', h('code', { class: 'id' }, o.actor.id)),
        ` sent the ${o.purpose} code`, o.observedAt ? ` ${ago(o.observedAt)}` : '', '.'),
      namesakes.length
        ? notice('warn', h('strong', {}, 'Same name, another person? '),
            `An allowed user is also called “${cleanName(o.actor.displayName)}” but has ID ${namesakes.map((u) => u.id).join(', ')}; this sender is ID ${o.actor.id}. `,
            'Names can be copied by anyone: approve only if this ID is the person you mean.')
        : null,
      h('dl', { class: 'ids' },
        idField('Actor ID', o.actor.id, `${key}-actor`),
        idField('Chat', conv.id, `${key}-chat`, [conversationKindName(conv.kind), conv.title ? ` “${conv.title}”` : ''].join('')),
        conv.threadId ? idField(threadWord(c.platform), conv.threadId, `${key}-thread`) : null,
        o.space
          ? idField('Space', o.space.id, `${key}-space`, `${spaceKindName(o.space.kind)}${o.space.title ? ` “${o.space.title}”` : ''}`)
          : h('div', { class: 'field' }, h('dt', {}, 'Space'), h('dd', {}, 'none (direct message)')),
      ),
      o.expiresAt ? h('p', { class: 'hint' }, 'Decide within ', countdown(o.expiresAt, load), '; after that it expires.') : null,
      h('div', { class: 'row' },
        h('button', { type: 'button', class: 'primary', 'data-key': `${key}-approve`, onclick: decide('approve') }, 'Approve'),
        h('button', { type: 'button', class: 'secondary', 'data-key': `${key}-reject`, onclick: decide('reject') }, 'Reject'),
      ),
      out,
    );
  }

  const codeSlot = h('div', { 'aria-live': 'polite' });
  const tokensSlot = h('div');
  const observedList = h('div', { id: 'observed' });
  const generatorForm = generator();

  async function load() {
    let row;
    try {
      const [pairing, users] = await Promise.all([get(`${base}/pairing`), get(`${base}/users`).catch(() => undefined)]);
      row = pairing;
      allowedUsers = listOf(users, 'users');
    } catch (e) {
      swap(observedList, errorNotice('Could not load pairing', e));
      return;
    }
    const observations = listOf(row?.observations, 'items');
    const tokens = listOf(row?.tokens, 'items');
    if (knownObservations) {
      for (const o of observations) {
        if (!knownObservations.has(o.observationId)) announce(`New observation: ${personLabel(o.actor.displayName, o.actor.id)} sent a code. Approve or reject it.`);
      }
    }
    knownObservations = new Set(observations.map((o) => o.observationId));
    const current = generated.get(c.id);
    if (codeState(current) === 'live' && !tokens.some((t) => t.tokenId === current.tokenId)) current.used = true;
    renderCode();
    const shown = current?.tokenId;
    const others = tokens.filter((t) => t.tokenId !== shown);
    swap(tokensSlot, others.length
      ? h('div', { class: 'hint' },
          `${others.length} other code${others.length > 1 ? 's' : ''} still live (a code is shown only once, when generated):`,
          h('ul', { class: 'tokens' }, others.map((t) => h('li', {},
            `${t.purpose === 'user' ? 'User' : 'Space'} code, `, countdown(t.expiresAt, load), ' left ',
            revokeButton(t.tokenId, `Revoke the ${t.purpose} code that expires in ${Math.ceil((Date.parse(t.expiresAt) - Date.now()) / 60000)} min`)))))
      : null);
    swap(observedList, observations.length
      ? h('ul', { class: 'observations', 'aria-labelledby': 'h-observed' }, observations.map(observationCard))
      : notice('info', h('strong', {}, 'Nothing observed yet. '),
          tokens.length
            ? 'Waiting for the code. Once it is sent to the bot, the sender appears here within a few seconds. If nothing shows up, run the Connection test above: the gateway may not be running.'
            : 'Generate a code and send it to the bot; the sender appears here for you to approve. If a sent code never shows up, run the Connection test above.'));
  }

  swap(section,
    h('h2', { id: 'h-pairing' }, 'Pairing'),
    h('p', { class: 'hint' }, 'A one-time code proves who is on the other side: whoever sends it shows up below with their real platform ID, and nothing is allowed until you approve.'),
    h('div', { class: 'pairing-grid' }, generatorForm, codeSlot),
    tokensSlot,
    h('h3', { id: 'h-observed' }, 'Observed'),
    observedList);

  return { load, renderCode };
}
