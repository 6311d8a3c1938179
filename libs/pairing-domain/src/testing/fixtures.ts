/** Builders for commands, messages and events used across the specs. */
import type { Actor, DomainEvent, InboundMessage, Space, TokenPurpose } from '@twokey/contracts';
import { injectiveHex } from './deps';

export const CONNECTION = 'telegram';
export const T0 = new Date('2030-01-01T00:00:00.000Z');
export const at = (ms: number): Date => new Date(T0.getTime() + ms);
export const seconds = (s: number): number => s * 1000;
export const minutes = (m: number): number => m * 60_000;

export const actor = (id: string, displayName = `Name of ${id}`): Actor => ({ id, displayName });
export const space = (id: string, kind: Space['kind'] = 'telegram-supergroup'): Space => ({ id, kind, title: `Space ${id}` });

let messageCounter = 0;

/** A DM from `actorId` (the conversation id is the actor id, as on Telegram). */
export function dm(actorId: string, text: string, over: Partial<InboundMessage> = {}): InboundMessage {
  return message({ actor: actor(actorId), conversation: { id: `dm-${actorId}`, kind: 'dm' }, text, ...over });
}

/** A message in a shared conversation `conversationId` of space `spaceId`. */
export function inSpace(actorId: string, spaceId: string, text: string, conversationId = `chat-${spaceId}`): InboundMessage {
  return message({ actor: actor(actorId), conversation: { id: conversationId, kind: 'supergroup' }, space: space(spaceId), text });
}

function message(parts: Pick<InboundMessage, 'actor' | 'conversation' | 'text'> & Partial<InboundMessage>): InboundMessage {
  const id = `m${++messageCounter}`;
  return {
    schemaVersion: 1,
    connection: CONNECTION,
    platform: 'telegram',
    platformMessageId: id,
    sentAt: T0.toISOString(),
    receivedAt: T0.toISOString(),
    ...parts,
  };
}

/** History events, written the way `decide` would have produced them. */
export const events = {
  tokenIssued: (tokenId: string, code: string, purpose: TokenPurpose = 'user', expiresAt = at(minutes(5))): DomainEvent => ({
    type: 'PairingTokenIssued',
    data: { tokenId, purpose, codeHmac: injectiveHex(code), expiresAt: expiresAt.toISOString() },
  }),
  userApproved: (id: string): DomainEvent => ({ type: 'UserApproved', data: { user: actor(id), how: 'manual' } }),
  spaceApproved: (id: string): DomainEvent => ({ type: 'SpaceApproved', data: { space: space(id), how: 'manual' } }),
  observed: (
    tokenId: string,
    observationId: string,
    m: InboundMessage,
    purpose: TokenPurpose = 'user',
    expiresAt = at(minutes(30)),
  ): DomainEvent => ({
    type: 'TokenObserved',
    data: {
      tokenId,
      observationId,
      purpose,
      actor: m.actor,
      conversation: m.conversation,
      ...(m.space ? { space: m.space } : {}),
      platformMessageId: m.platformMessageId,
      expiresAt: expiresAt.toISOString(),
    },
  }),
  failedAttempt: (
    m: InboundMessage,
    when: Date,
    reason: 'pairing-code-invalid' | 'pairing-code-expired' | 'pairing-code-used' = 'pairing-code-invalid',
  ): DomainEvent => ({
    type: 'MessageDenied',
    data: {
      reason,
      actor: m.actor,
      conversation: m.conversation,
      ...(m.space ? { space: m.space } : {}),
      count: 1,
      firstSeenAt: when.toISOString(),
      lastSeenAt: when.toISOString(),
    },
  }),
};
