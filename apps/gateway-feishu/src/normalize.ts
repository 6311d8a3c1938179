/**
 * Feishu / Lark `im.message.receive_v1` → InboundMessage (pure).
 *
 * Deliberate choices:
 * - Only `message_type: "text"` becomes a message (its `content` is the JSON string `{"text": …}`); rich posts,
 *   images, files, stickers … are ignored.
 * - Only `sender_type: "user"` is a person: the bot's own messages and other apps' are ignored.
 * - `chat_type` p2p → dm (conversation = chat_id, no space); group (and topic_group) → conversation kind group in
 *   the `feishu-group` space of that chat_id.
 * - Actor = `sender.sender_id.open_id`: per app, which fits a per-connection allowlist.
 * - threadId = `root_id` (the om_ id of the thread's first message, which the reply API accepts), else
 *   `thread_id`.
 * - Mention placeholders (`@_user_1`) are replaced by `@<name>` so the text reads as the user wrote it, except the
 *   bot's own (the key whose `id.open_id` is the bot's), which is removed and recorded as `mentionedBot`: Feishu
 *   delivers a group message only when it @-mentions the bot, so `@<bot name> CODE` is the ordinary case (issue 19).
 * - platformMessageId = `message_id`. Feishu pushes an unacknowledged event again with the same `event_id` and the
 *   same `message_id`, so keying the Nats-Msg-Id on message_id de-duplicates those pushes (and a message seen on
 *   both the webhook and the long connection).
 */
import { ContractViolation, InboundMessage, parseContract } from '@twokey/contracts';
import { parseJsonSafely, removeSpans, type TextSpan } from '@twokey/gateway-kit';
import { ReceiveMessage } from './wire';

export type IgnoreReason = 'own-message' | 'bot' | 'non-text';

export type Normalized =
  | { kind: 'message'; message: InboundMessage; eventId: string }
  | { kind: 'ignored'; reason: IgnoreReason }
  | { kind: 'invalid'; reason: string; platformMessageId?: string };

export interface NormalizeContext {
  connection: string;
  receivedAt: Date;
  /** The bot's open_id (GET /open-apis/bot/v3/info), when known. */
  botOpenId?: string;
}

const GROUP_CHAT_TYPES = new Set(['group', 'topic_group']);

export function normalizeReceiveMessage(raw: unknown, ctx: NormalizeContext): Normalized {
  const parsed = ReceiveMessage.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { kind: 'invalid', reason: `im.message.receive_v1: ${issue?.path.join('.')} ${issue?.message}` };
  }
  const { sender, message: m, event_id } = parsed.data;
  const openId = sender.sender_id.open_id;
  if (ctx.botOpenId && openId === ctx.botOpenId) return { kind: 'ignored', reason: 'own-message' };
  if (sender.sender_type !== 'user') return { kind: 'ignored', reason: 'bot' };
  if (m.message_type !== 'text') return { kind: 'ignored', reason: 'non-text' };

  const content = parseJsonSafely(m.content);
  if (!content.ok) {
    return { kind: 'invalid', reason: `im.message.receive_v1: message.content is not valid JSON (${content.reason})`, platformMessageId: m.message_id };
  }
  const text = (content.value as { text?: unknown } | null)?.text;
  if (typeof text !== 'string') {
    return { kind: 'invalid', reason: 'im.message.receive_v1: message.content has no text', platformMessageId: m.message_id };
  }
  const addressed = withoutBotMention(text, m.mentions ?? [], ctx.botOpenId);

  const isDm = m.chat_type === 'p2p';
  if (!isDm && !GROUP_CHAT_TYPES.has(m.chat_type)) {
    return { kind: 'invalid', reason: `im.message.receive_v1: unknown chat_type "${m.chat_type.slice(0, 32)}"`, platformMessageId: m.message_id };
  }
  const threadId = m.root_id || m.thread_id || undefined;
  // A timestamp beyond what Date can hold would make toISOString throw: refuse the event instead (found by fuzzing).
  const sentAt = new Date(Number(m.create_time));
  if (!Number.isFinite(sentAt.getTime())) return { kind: 'invalid', reason: 'im.message.receive_v1: message.create_time is out of range', platformMessageId: m.message_id };
  const candidate = {
    schemaVersion: 1,
    connection: ctx.connection,
    platform: 'feishu',
    platformMessageId: m.message_id,
    sentAt: sentAt.toISOString(),
    receivedAt: ctx.receivedAt.toISOString(),
    actor: { id: openId, displayName: openId },
    conversation: { id: m.chat_id, kind: isDm ? 'dm' : 'group', ...(threadId ? { threadId } : {}) },
    ...(isDm ? {} : { space: { id: m.chat_id, kind: 'feishu-group' } }),
    text: addressed.text,
    ...(addressed.mentionedBot ? { mentionedBot: true } : {}),
  };
  try {
    return { kind: 'message', message: parseContract('InboundMessage', InboundMessage, candidate), eventId: event_id };
  } catch (e) {
    if (e instanceof ContractViolation) return { kind: 'invalid', reason: e.message, platformMessageId: m.message_id };
    throw e;
  }
}

type Mention = { key: string; name?: string; id?: { open_id?: string } };

/** Feishu's placeholders: `@_user_1`, `@_user_10`, `@_all` (a whole word, so `@_user_1` is never read inside `@_user_10`). */
const PLACEHOLDER = /@_[A-Za-z0-9_]+/g;

/** One pass over the placeholders: other users' names in, the bot's out. */
function withoutBotMention(text: string, mentions: readonly Mention[], botOpenId: string | undefined): { text: string; mentionedBot: boolean } {
  const byKey = new Map(mentions.filter((x) => x.key !== '').map((x) => [x.key, x]));
  const isBot = (x: Mention | undefined) => Boolean(botOpenId && x?.id?.open_id === botOpenId);
  const mentionedBot = [...byKey.values()].some(isBot);
  if (byKey.size === 0) return { text, mentionedBot };
  let named = '';
  let at = 0;
  const botSpans: TextSpan[] = [];
  for (const match of text.matchAll(PLACEHOLDER)) {
    named += text.slice(at, match.index);
    at = match.index + match[0].length;
    const mention = byKey.get(match[0]);
    if (isBot(mention)) {
      botSpans.push({ offset: named.length, length: match[0].length });
      named += match[0];
    } else {
      named += mention?.name ? `@${mention.name}` : match[0];
    }
  }
  named += text.slice(at);
  return { text: botSpans.length > 0 ? removeSpans(named, botSpans) : named, mentionedBot };
}
