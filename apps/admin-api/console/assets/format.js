// Plain-words formatting shared by the pages.

export const PLATFORM_NAMES = {
  telegram: 'Telegram',
  discord: 'Discord',
  slack: 'Slack',
  mattermost: 'Mattermost',
  feishu: 'Feishu / Lark',
  line: 'LINE',
};

export const platformName = (p) => PLATFORM_NAMES[p] ?? p ?? 'the platform';

/** A connection's label: the platform, plus its id when a deployment runs several bots on one platform. */
export const connectionLabel = (c) =>
  !c.platform ? c.id : c.id === c.platform ? platformName(c.platform) : `${platformName(c.platform)} (${c.id})`;

export const REASONS = {
  'user-not-allowlisted': 'Not on the Authorized User IDs list.',
  'space-not-allowlisted': 'The person is allowed, but this space is not on the space allowlist.',
  'pairing-code-invalid': 'Sent something that looks like a pairing code but matches no live code.',
  'pairing-code-expired': 'Sent a pairing code whose time had run out (or that was revoked): generate a new one.',
  'pairing-code-used':
    'Sent a pairing code that someone had already used: each code works once, so this sender copied or guessed it.',
  'pairing-throttled': 'Too many wrong codes: pairing attempts from here are paused for 15 minutes.',
  'space-pairing-not-authorized':
    'Posted a space code without being an authorized user (or not inside the space).',
  'pairing-code-exposed': 'Code exposed, revoked: a live code was posted where it cannot be used (a user code in a group, a space code in a DM). Everyone there saw it, so it no longer works: Generate a new one.',
};

export const reasonText = (r) => REASONS[r] ?? r;

/**
 * A display name is a hint chosen by its owner, never an identity (L6). Format characters (\p{Cf}: bidi overrides
 * and isolates, zero-width joiners) and control characters are removed, so a name cannot reorder, hide or fake the
 * text around it, such as the ID shown beside it.
 */
export const cleanName = (name) => (typeof name === 'string' ? name.replace(/[\p{Cf}\p{Cc}]/gu, '').trim() : '');

/** How the console names a person in sentences: the cleaned name with the platform ID beside it. */
export const personLabel = (name, id) => {
  const clean = cleanName(name);
  return clean ? `${clean} (${id})` : String(id);
};

/** Names compared the way an admin reads them: cleaned, NFKC, case-folded. */
export const sameName = (a, b) => {
  const fold = (n) => cleanName(n).normalize('NFKC').toLowerCase();
  return fold(a) !== '' && fold(a) === fold(b);
};

export const SPACE_KINDS = {
  telegram: ['telegram-supergroup', 'telegram-group'],
  discord: ['discord-server'],
  slack: ['slack-workspace', 'slack-connect-channel'],
  mattermost: ['mattermost-team'],
  feishu: ['feishu-group'],
  line: ['line-group', 'line-room'],
};

const SPACE_KIND_NAMES = {
  'slack-workspace': 'Slack workspace',
  'slack-connect-channel': 'Slack Connect channel',
  'discord-server': 'Discord server',
  'telegram-supergroup': 'Telegram supergroup',
  'telegram-group': 'Telegram group',
  'mattermost-team': 'Mattermost team',
  'feishu-group': 'Feishu group chat',
  'line-group': 'LINE group',
  'line-room': 'LINE room',
};

export const spaceKindName = (k) => SPACE_KIND_NAMES[k] ?? k;

const CONVERSATION_KIND_NAMES = {
  dm: 'Direct message',
  group: 'Group',
  supergroup: 'Supergroup',
  channel: 'Channel',
  thread: 'Thread',
  room: 'Room',
};

export const conversationKindName = (k) => CONVERSATION_KIND_NAMES[k] ?? k;

/** Telegram calls threads in a forum supergroup "topics"; other platforms call them threads. */
export const threadWord = (platform) => (platform === 'telegram' ? 'Topic ID' : 'Thread ID');

/** "4:59" for a remaining duration in milliseconds (never negative). */
export function clock(ms) {
  const s = Math.max(0, Math.ceil(ms / 1000));
  const m = Math.floor(s / 60);
  return `${m}:${String(s % 60).padStart(2, '0')}`;
}

/** "just now", "3 min ago", "2 h ago", or the date. */
export function ago(iso, now = Date.now()) {
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return '';
  const s = Math.round((now - t) / 1000);
  if (s < 45) return 'just now';
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return new Date(t).toLocaleDateString();
}

export const fullDate = (iso) => {
  const t = Date.parse(iso);
  return Number.isFinite(t) ? new Date(t).toLocaleString() : '';
};

/** Telegram bot usernames end in "bot" (5–32 of a-z, 0-9, _). */
export function telegramBotUsername(bot) {
  for (const candidate of [bot?.username, bot?.name]) {
    const name = String(candidate ?? '').replace(/^@/, '');
    if (/^[A-Za-z][A-Za-z0-9_]{3,31}$/.test(name) && /bot$/i.test(name)) return name;
  }
  return undefined;
}

export function telegramDeepLink(botUsername, code) {
  return `https://t.me/${botUsername}?start=${code.replace(/-/g, '')}`;
}
