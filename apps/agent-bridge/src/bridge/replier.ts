import type { JetStreamClient } from 'nats';
import type { AdmittedMessage, ChatAction, EditMessage, ReplyFormat, SendMessageV2, Subjects } from '@twokey/contracts';

/** Where a reply goes: the admitted message's conversation and thread, with its capability copied verbatim. */
export interface ReplyTarget {
  connection: string;
  conversationId: string;
  threadId?: string;
  replyCapability?: AdmittedMessage['replyCapability'];
}

export const replyTargetOf = (m: AdmittedMessage): ReplyTarget => ({
  connection: m.connection,
  conversationId: m.message.conversation.id,
  threadId: m.message.conversation.threadId,
  replyCapability: m.replyCapability,
});

export interface SentCommand {
  idempotencyKey: string;
  connection: string;
  command: 'send-message' | 'edit-message' | 'chat-action';
  text?: string;
  final: boolean;
  target: ReplyTarget;
}

/**
 * Publishes outbound commands on `<prefix>.outbound.<connection>` (JetStream, Nats-Msg-Id = idempotency key, so a
 * retried publish is sent once). The only way the bridge talks to chat.
 */
export class Replier {
  /** Every command published, by key, until its DeliveryReport arrives (bounded: oldest dropped first). */
  readonly inFlight = new Map<string, SentCommand>();
  private static readonly MAX_TRACKED = 10_000;
  /** Called after each publish: benchmarks and tests measure here. */
  onPublished?: (c: SentCommand) => void;

  constructor(
    private readonly js: JetStreamClient,
    private readonly s: Subjects,
  ) {}

  private async publish(body: SendMessageV2 | EditMessage | ChatAction, sent: SentCommand): Promise<void> {
    await this.js.publish(this.s.outbound(body.connection), JSON.stringify(body), { msgID: body.idempotencyKey });
    if (sent.command !== 'chat-action') {
      this.inFlight.set(sent.idempotencyKey, sent);
      if (this.inFlight.size > Replier.MAX_TRACKED) this.inFlight.delete(this.inFlight.keys().next().value!);
    }
    this.onPublished?.(sent);
  }

  private base(t: ReplyTarget, idempotencyKey: string) {
    return { connection: t.connection, idempotencyKey, conversationId: t.conversationId, threadId: t.threadId, replyCapability: t.replyCapability };
  }

  send(t: ReplyTarget, idempotencyKey: string, text: string, o: { format?: ReplyFormat; final?: boolean } = {}): Promise<void> {
    const final = o.final ?? true;
    const body: SendMessageV2 = { schemaVersion: 2, type: 'send-message', ...this.base(t, idempotencyKey), text, format: o.format ?? 'plain', final };
    return this.publish(body, { idempotencyKey, connection: t.connection, command: 'send-message', text, final, target: t });
  }

  edit(t: ReplyTarget, idempotencyKey: string, targetIdempotencyKey: string, text: string, o: { format?: ReplyFormat; final: boolean }): Promise<void> {
    const body: EditMessage = {
      schemaVersion: 1,
      type: 'edit-message',
      ...this.base(t, idempotencyKey),
      targetIdempotencyKey,
      text,
      format: o.format ?? 'markdown',
      final: o.final,
    };
    return this.publish(body, { idempotencyKey, connection: t.connection, command: 'edit-message', text, final: o.final, target: t });
  }

  typing(t: ReplyTarget, idempotencyKey: string, state: 'start' | 'stop'): Promise<void> {
    const body: ChatAction = { schemaVersion: 1, type: 'chat-action', ...this.base(t, idempotencyKey), action: 'typing', state };
    return this.publish(body, { idempotencyKey, connection: t.connection, command: 'chat-action', final: true, target: t });
  }
}
