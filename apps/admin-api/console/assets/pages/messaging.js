// Settings → Messaging → <connection>: connection test, pairing, Authorized User IDs and the space allowlist,
// kept current by the live stream.
import { enc } from '../api.js';
import { h, swap } from '../dom.js';
import { connectionLabel, platformName, SPACE_KINDS } from '../format.js';
import { debounce, onLive } from '../live.js';
import { allowlistSection } from './allowlist.js';
import { connectionSection } from './connection-test.js';
import { pairingSection } from './pairing.js';

export function renderMessaging(main, { connection: c, refreshNav }) {
  const base = `/connections/${enc(c.id)}`;
  const section = (id) => h('section', { 'aria-labelledby': id, class: 'card' });
  const sections = { status: section('h-status'), pairing: section('h-pairing'), users: section('h-users'), spaces: section('h-spaces') };
  swap(main,
    h('p', { class: 'crumbs' }, 'Settings › Messaging › ', platformName(c.platform)),
    h('h1', {}, connectionLabel(c)),
    Object.values(sections),
  );

  const refreshAll = debounce(() => {
    pairing.load();
    users.load();
    spaces.load();
    refreshNav();
  }, 100);

  const pairing = pairingSection(sections.pairing, { connection: c, base, onDecided: refreshAll });
  const users = allowlistSection(sections.users, { kind: 'user', connection: c, base });
  const spaces = allowlistSection(sections.spaces, { kind: 'space', connection: c, base, spaceKinds: SPACE_KINDS[c.platform] ?? [] });
  connectionSection(sections.status, {
    connection: c,
    base,
    onTested: () => {
      pairing.renderCode();
      refreshNav();
    },
  });

  const ready = Promise.all([pairing.load(), users.load(), spaces.load()]);
  const stop = onLive((change) => {
    if (!change.connection || change.connection === c.id) refreshAll();
  });
  return ready.then(() => stop);
}
