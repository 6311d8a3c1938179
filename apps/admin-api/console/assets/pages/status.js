// How a connection is doing, in plain words, with what to do about it.
import { h } from '../dom.js';
import { ago, platformName } from '../format.js';

/** The last connection test, if any ran since admin-api started. */
export const lastTestOf = (c) => c.lastConnectionTest ?? undefined;

const gatewayOf = (c) => `gateway-${c.platform ?? c.id}`;

/** True when a failed test means nobody serves the connection (as opposed to the platform refusing). */
export const gatewayMissing = (test) => !test.ok && /gateway (not running|did not answer)/i.test(test.error ?? '');

/** How to get a gateway running, for the "not running" explanation. */
export function gatewayHelp(c) {
  return `Give ${gatewayOf(c)} the ${platformName(c.platform)} bot’s credentials in its environment and start it ` +
    '(npm start starts every gateway; one without credentials stays idle and says so in its log), with the same ' +
    'NATS_URL and TWOKEY_SUBJECT_PREFIX as admin-api. See docs/console.md.';
}

/**
 * { level: ok|warn|off, title, help } for the connection's status line, from what its gateway says right now
 * (admin-api asks it on every connection list, so no Test is needed).
 */
export function connectionStatus(c) {
  if (c.configured === false) {
    return { level: 'off', title: 'Not configured', help: 'This connection is no longer in CONNECTIONS; its history is shown read-only.' };
  }
  const g = c.gateway;
  if (!g) return { level: 'warn', title: 'Gateway not running', help: `${gatewayHelp(c)} Once it runs, this says so within seconds.` };
  if (g.halted) {
    return { level: 'warn', title: `Stopped: ${platformName(c.platform)} refused the gateway`,
      help: `${g.reason ?? 'The platform refused the credentials or settings.'} ${gatewayOf(c)} no longer retries, since ` +
        'retrying cannot fix this (and can get the bot’s token reset). Fix the cause, then press Reconnect.' };
  }
  if (!c.connected || g.receiving === false) {
    return { level: 'warn', title: `Not connected to ${platformName(c.platform)}`,
      help: `${gatewayOf(c)} is running but is not receiving from the platform (it keeps retrying)` +
        (g.reason ? `: ${g.reason}. ` : '. ') + 'Run the Connection test to see the platform’s answer, or read the gateway’s log.' };
  }
  const last = g.lastInboundAt ? `; last message ${ago(g.lastInboundAt)}` : '';
  return { level: 'ok', title: 'Connected', help: `${gatewayOf(c)} is receiving from ${platformName(c.platform)} (connected ${ago(g.since)}${last}).` };
}

/** The status as a line with its explanation (`long`) or as a short badge, redrawn in place by refreshStatuses(). */
export function statusLine(c, { long = true } = {}) {
  const s = connectionStatus(c);
  return h('p', { class: `status ${s.level}`, id: long ? 'connection-status' : undefined, 'data-status-of': c.id, 'data-status-long': String(long) },
    h('span', { class: `dot ${s.level}`, 'aria-hidden': 'true' }), long ? [h('strong', {}, s.title), ' — ', s.help] : s.title);
}

/** After the connection list was reloaded: redraw every status shown on the page. */
export function refreshStatuses(connections) {
  for (const el of document.querySelectorAll('[data-status-of]')) {
    const c = connections.find((x) => x.id === el.dataset.statusOf);
    if (c) el.replaceWith(statusLine(c, { long: el.dataset.statusLong === 'true' }));
  }
}
