import type { InboundMessage } from '@twokey/contracts';

/** InboundMessage bytes as a gateway publishes them; ids are unique per run so JetStream never de-duplicates them. */
export class MessageFactory {
  private readonly run = Date.now().toString(36);

  constructor(readonly connection = 'telegram') {}

  message(i: number, actorId: string, text: string, conversation?: { id: string; spaceId: string }): InboundMessage {
    const now = new Date().toISOString();
    return {
      schemaVersion: 1,
      connection: this.connection,
      platform: 'telegram',
      platformMessageId: `${this.run}-${i}`,
      sentAt: now,
      receivedAt: now,
      actor: { id: actorId, displayName: `User ${actorId}`, username: `user${actorId}` },
      conversation: conversation ? { id: conversation.id, kind: 'supergroup', title: `Group ${conversation.id}` } : { id: actorId, kind: 'dm' },
      ...(conversation ? { space: { id: conversation.spaceId, kind: 'telegram-supergroup', title: `Group ${conversation.id}` } } : {}),
      text,
    };
  }

  msgId(i: number): string {
    return `${this.connection}:${this.run}-${i}`;
  }

  /** Typical chat text (~60 bytes): what the agent would receive. */
  static text(i: number): string {
    return `please summarise the thread about release ${i % 97} before lunch`;
  }
}

export const encode = (v: unknown): Uint8Array => Buffer.from(JSON.stringify(v));
