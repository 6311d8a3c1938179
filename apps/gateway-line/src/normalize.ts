/**
 * LINE webhook event → InboundMessage (pure).
 *
 * Deliberate choices:
 * - Only `message` events with a `text` message become messages; stickers, images, follow/join/unsend,
 *   postbacks … are ignored. Events in `standby` mode (another module owns the chat) are ignored too.
 * - Source `user` → dm (conversation id = userId, no space); `group` → conversation kind group, space
 *   `line-group` (groupId); `room` → conversation kind room, space `line-room` (roomId).
 * - A group or room message without `userId` has no stable actor: rejected (DLQ), never published.
 * - platformMessageId = `message.id`. It is stable across redeliveries (as is `webhookEventId`), so a redelivered
 *   event (`deliveryContext.isRedelivery`) gets the same Nats-Msg-Id and JetStream drops the duplicate.
 * - LINE has no threads: threadId is never set.
 * - The bot's own mention (`message.mention.mentionees[]` with `isSelf`, or the bot's user id) is removed from the
 *   text and recorded as `mentionedBot`; other users' mentions stay as written ("@Name") (issue 19).
 * - LINE does not echo the bot's own messages; an event whose sender is the bot itself (the webhook
 *   `destination`) is ignored all the same.
 */
import { ContractViolation, InboundMessage, parseContract, Space } from '@twokey/contracts';
import { removeSpans } from '@twokey/gateway-kit';
import { Mention, Source, TextMessage, WebhookEvent } from './wire';

export type IgnoreReason = 'not-a-message' | 'non-text' | 'standby' | 'own-message';

export type Normalized =
  | { kind: 'message'; message: InboundMessage; source: Source; replyToken?: string }
  | { kind: 'ignored'; reason: IgnoreReason }
  | { kind: 'invalid'; reason: string; platformMessageId?: string };

export interface NormalizeContext {
  connection: string;
  receivedAt: Date;
  /** The bot's own user id (GET /v2/bot/info, also the webhook `destination`). */
  botUserId?: string;
}

export function normalizeWebhookEvent(raw: unknown, ctx: NormalizeContext): Normalized {
  const parsed = WebhookEvent.safeParse(raw);
  if (!parsed.success) return { kind: 'invalid', reason: `webhook event: ${describe(parsed.error)}` };
  const event = parsed.data;
  if (event.type !== 'message') return { kind: 'ignored', reason: 'not-a-message' };
  if (event.mode === 'standby') return { kind: 'ignored', reason: 'standby' };
  if (event.message?.type !== 'text') return { kind: 'ignored', reason: 'non-text' };

  const message = TextMessage.safeParse(event.message);
  if (!message.success) return { kind: 'invalid', reason: `message event: message.${describe(message.error)}` };
  const id = message.data.id;
  const source = Source.safeParse(event.source);
  if (!source.success) return { kind: 'invalid', reason: `message event: source.${describe(source.error)}`, platformMessageId: id };
  const s = source.data;
  if (!s.userId) {
    return { kind: 'invalid', reason: `message event: ${s.type} message without source.userId (no stable actor)`, platformMessageId: id };
  }

  if (ctx.botUserId && s.userId === ctx.botUserId) return { kind: 'ignored', reason: 'own-message' };

  const where = conversationOf(s);
  const addressed = withoutBotMention(message.data.text, message.data.mention, ctx.botUserId);
  // A timestamp beyond what Date can hold would make toISOString throw: refuse the event instead (found by fuzzing).
  const sentAt = new Date(event.timestamp);
  if (!Number.isFinite(sentAt.getTime())) return { kind: 'invalid', reason: 'message event: timestamp is out of range', platformMessageId: id };
  const candidate = {
    schemaVersion: 1,
    connection: ctx.connection,
    platform: 'line',
    platformMessageId: id,
    sentAt: sentAt.toISOString(),
    receivedAt: ctx.receivedAt.toISOString(),
    actor: { id: s.userId, displayName: s.userId },
    conversation: where.conversation,
    ...(where.space ? { space: where.space } : {}),
    text: addressed.text,
    ...(addressed.mentionedBot ? { mentionedBot: true } : {}),
  };
  try {
    return { kind: 'message', message: parseContract('InboundMessage', InboundMessage, candidate), source: s, replyToken: event.replyToken };
  } catch (e) {
    if (e instanceof ContractViolation) return { kind: 'invalid', reason: e.message, platformMessageId: id };
    throw e;
  }
}

function withoutBotMention(text: string, mention: unknown, botUserId: string | undefined): { text: string; mentionedBot: boolean } {
  const parsed = Mention.safeParse(mention);
  if (!parsed.success) return { text, mentionedBot: false };
  // index and length count UTF-16 units, like JavaScript strings (the SDK's own sample: "@example" is 8).
  const self = parsed.data.mentionees.filter((m) => m.type === 'user' && (m.isSelf === true || (botUserId !== undefined && m.userId === botUserId)));
  return self.length === 0 ? { text, mentionedBot: false } : { text: removeSpans(text, self.map((m) => ({ offset: m.index, length: m.length }))), mentionedBot: true };
}

function conversationOf(s: Source): { conversation: { id: string; kind: 'dm' | 'group' | 'room' }; space?: Space } {
  switch (s.type) {
    case 'user':
      return { conversation: { id: s.userId, kind: 'dm' } };
    case 'group':
      return { conversation: { id: s.groupId, kind: 'group' }, space: { id: s.groupId, kind: 'line-group' } };
    case 'room':
      return { conversation: { id: s.roomId, kind: 'room' }, space: { id: s.roomId, kind: 'line-room' } };
  }
}

function describe(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  const first = error.issues[0];
  return first ? `${first.path.map(String).join('.')} ${first.message}`.trim() : 'is invalid';
}
