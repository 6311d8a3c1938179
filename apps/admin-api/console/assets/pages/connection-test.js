// The Connection part of a messaging page: status in plain words, the Test button and its result.
import { post } from '../api.js';
import { announce, h, swap } from '../dom.js';
import { ago, platformName } from '../format.js';
import { busy, errorNotice, notice } from '../ui.js';
import { gatewayHelp, gatewayMissing, lastTestOf, statusLine } from './status.js';

/** Last connection test per connection from the Test button (kept across page changes). */
const tested = new Map();

/** The newest known test of a connection: this session's, else the one admin-api remembers. */
export const latestTest = (c) => tested.get(c.id) ?? lastTestOf(c);

export function connectionSection(section, { connection: c, base, onTested }) {
  function testResult(r) {
    if (r.ok) {
      return notice('ok',
        h('strong', {}, 'Works. '),
        'Bot ', h('strong', { id: 'bot-name' }, r.bot?.name ?? '(no name)'),
        r.bot?.id ? [' (ID ', h('code', {}, r.bot.id), ')'] : null,
        ` answered in ${Math.round(r.latencyMs)} ms`,
        r.at ? ` · ${ago(r.at)}` : '', '.');
    }
    if (gatewayMissing(r)) {
      return notice('error', h('strong', {}, 'Gateway not running. '), `No gateway answered (${r.error}). `, gatewayHelp(c));
    }
    return notice('error', h('strong', {}, 'The platform refused: '), r.error ?? 'unknown error',
      h('br'), 'Check the bot’s credentials in the gateway’s environment, then test again.');
  }

  function render() {
    const result = latestTest(c);
    const resultBox = h('div', { id: 'test-result', 'aria-live': 'polite' }, result ? testResult(result) : null);
    const testButton = h('button', {
      type: 'button', class: 'primary', id: 'test-button',
      onclick: () => busy(testButton, async () => {
        swap(resultBox, h('p', { class: 'muted' }, 'Testing…'));
        try {
          const r = await post(`${base}/connection-test`);
          tested.set(c.id, { at: new Date().toISOString(), ...r });
          c.lastConnectionTest = tested.get(c.id);
          render();
          announce(r.ok ? `Connection test passed in ${Math.round(r.latencyMs)} ms` : `Connection test failed: ${r.error ?? 'unknown error'}`);
          document.getElementById('test-button')?.focus();
          onTested();
        } catch (e) {
          swap(resultBox, errorNotice('Connection test failed', e));
        }
      }),
    }, 'Test');
    const reconnectBox = h('div', { id: 'reconnect-result', 'aria-live': 'polite' });
    const reconnectButton = h('button', {
      type: 'button', id: 'reconnect-button',
      onclick: () => busy(reconnectButton, async () => {
        swap(reconnectBox, h('p', { class: 'muted' }, 'Reconnecting…'));
        try {
          const r = await post(`${base}/reconnect`);
          swap(reconnectBox, r.ok
            ? notice('ok', h('strong', {}, 'Reconnected. '), `The gateway receives from ${platformName(c.platform)} again.`)
            : notice('error', h('strong', {}, 'Still not receiving: '), r.error ?? 'unknown error'));
          announce(r.ok ? 'Reconnected' : `Reconnect failed: ${r.error ?? 'unknown error'}`);
          onTested();
        } catch (e) {
          swap(reconnectBox, errorNotice('Reconnect failed', e));
        }
      }),
    }, 'Reconnect');
    swap(section,
      h('h2', { id: 'h-status' }, 'Connection'),
      statusLine(c),
      h('div', { class: 'row' }, testButton, h('span', { class: 'hint' }, 'Asks the gateway to call the platform with the bot’s credentials.')),
      resultBox,
      h('div', { class: 'row' }, reconnectButton,
        h('span', { class: 'hint' }, 'Makes the gateway connect to the platform afresh, e.g. after fixing a refused token or a Discord intent.')),
      reconnectBox,
    );
  }

  render();
}
