// /console/ — Settings → Messaging: every connection with its status and counts.
import { h, swap } from '../dom.js';
import { connectionLabel } from '../format.js';
import { notice } from '../ui.js';
import { statusLine } from './status.js';

export function renderOverview(main, { connections }) {
  const cards = connections.map((c) => {
    const n = c.counts ?? {};
    return h('li', { class: 'card connection' },
      h('h2', {}, h('a', { href: `/console/settings/messaging/${encodeURIComponent(c.id)}` }, connectionLabel(c))),
      statusLine(c, { long: false }),
      h('p', { class: 'muted' },
        `${n.users ?? 0} users · ${n.spaces ?? 0} spaces · ${n.pendingObservations ?? 0} waiting for approval`),
    );
  });
  swap(main,
    h('p', { class: 'crumbs' }, 'Settings › Messaging'),
    h('h1', {}, 'Messaging'),
    h('p', { class: 'lead' },
      'Each bot (connection) has its own allowlists. Open one to pair a person or a shared space; ',
      h('a', { href: '/console/activity/attention' }, 'Activity → Attention'), ' lists who was turned away.'),
    cards.length
      ? h('ul', { class: 'cards' }, cards)
      : notice('info', 'No connections are configured. Configure a gateway (see docs/console.md) and reload.'),
  );
}
