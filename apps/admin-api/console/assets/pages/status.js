// How a connection is doing, in plain words, with what to do about it.
import { h } from '../dom.js';
import { platformName } from '../format.js';

/** The last connection test, if any ran since admin-api started. */
export const lastTestOf = (c) => c.lastConnectionTest ?? undefined;

const gatewayOf = (c) => `gateway-${c.platform ?? c.id}`;

/** True when a failed test means nobody serves the connection (as opposed to the platform refusing). */
export const gatewayMissing = (test) => !test.ok && /gateway (not running|did not answer)/i.test(test.error ?? '');

/** How to get a gateway running, for the "not running" explanation. */
export function gatewayHelp(c) {
  return `Give ${gatewayOf(c)} the ${platformName(c.platform)} bot’s credentials in its environment and start it ` +
    '(npm start starts every gateway; one without credentials stays idle and says so in its log), with the same ' +
    'NATS_URL and TWOKEY_SUBJECT_PREFIX as admin-api. Then run the Connection test again. See docs/console.md.';
}

/** { level: ok|warn|off, title, help } for the connection's status line. */
export function connectionStatus(c) {
  const test = lastTestOf(c);
  if (c.configured === false) {
    return { level: 'off', title: 'Not configured', help: 'This connection is no longer in CONNECTIONS; its history is shown read-only.' };
  }
  if (!test) {
    return { level: 'off', title: 'Not tested yet', help: 'Run the Connection test to check that the gateway is running and the bot’s credentials work.' };
  }
  if (test.ok) return { level: 'ok', title: 'Connected', help: `${gatewayOf(c)} is running and the platform accepted the bot’s credentials.` };
  if (gatewayMissing(test)) return { level: 'warn', title: 'Gateway not running', help: gatewayHelp(c) };
  return { level: 'warn', title: 'Platform refused', help: `The platform said: ${test.error ?? 'unknown error'}. Check the bot’s credentials.` };
}

export function statusLine(c) {
  const s = connectionStatus(c);
  return h('p', { class: `status ${s.level}`, id: 'connection-status' },
    h('span', { class: `dot ${s.level}`, 'aria-hidden': 'true' }), h('strong', {}, s.title), ' — ', s.help);
}
