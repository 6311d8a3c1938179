import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import { inboundMessageId, type AdmittedMessage, type InboundMessage, type Subjects } from '@twokey/contracts';
import { natsInboxPrefix } from '@twokey/messaging';
import { ReplyCapabilities } from '@twokey/reply-capability';
import type { PairingServiceConfig } from '../config';
import { CONFIG, NATS, SUBJECTS } from '../tokens';
import { JetStreamPublisher } from './jetstream-publisher';

/**
 * Publishes admitted messages for the agent bridge, each with a reply capability for its conversation and thread
 * (valid from the admission for REPLY_CAPABILITY_TTL_SECONDS). The msgID is the inbound message id, so a
 * redelivered message that is admitted again is stored once (JetStream de-duplication): exactly one
 * AdmittedMessage per message.
 */
@Injectable()
export class AdmittedPublisher implements BeforeApplicationShutdown {
  private readonly publisher: JetStreamPublisher;
  private readonly capabilities: ReplyCapabilities;

  constructor(
    @Inject(NATS) nc: NatsConnection,
    @Inject(SUBJECTS) private readonly s: Subjects,
    @Inject(CONFIG) config: PairingServiceConfig,
  ) {
    // The same inbox prefix connectNats gives the connection, so the PubAcks pass the NATS permissions.
    const user = config.nats.user;
    this.publisher = new JetStreamPublisher(nc, { inboxPrefix: user ? natsInboxPrefix(user) : undefined });
    this.capabilities = new ReplyCapabilities(config.replyCapability.secret, config.replyCapability.ttlSeconds);
  }

  /** Resolves once JetStream has stored it (PubAck), or knew it already (duplicate). */
  publish(message: InboundMessage, admittedAt: Date): Promise<unknown> {
    const admitted: AdmittedMessage = {
      schemaVersion: 1,
      connection: message.connection,
      platform: message.platform,
      admittedAt: admittedAt.toISOString(),
      message,
      replyCapability: this.capabilities.sign(
        { connection: message.connection, conversationId: message.conversation.id, threadId: message.conversation.threadId },
        admittedAt,
      ),
    };
    return this.publisher.publish(this.s.admitted(message.connection), JSON.stringify(admitted), inboundMessageId(message));
  }

  // After the consumer stopped (onModuleDestroy), before NATS is drained (onApplicationShutdown).
  beforeApplicationShutdown(): void {
    this.publisher.close();
  }
}
