import { Inject, Injectable } from '@nestjs/common';
import type { JetStreamClient, NatsConnection } from 'nats';
import { inboundMessageId, type AdmittedMessage, type InboundMessage, type Subjects } from '@twokey/contracts';
import { NATS, SUBJECTS } from '../tokens';

/**
 * Publishes admitted messages for the agent bridge. The msgID is the inbound message id, so a redelivered message
 * that is admitted again is stored once (JetStream de-duplication): exactly one AdmittedMessage per message.
 */
@Injectable()
export class AdmittedPublisher {
  private readonly js: JetStreamClient;

  constructor(
    @Inject(NATS) nc: NatsConnection,
    @Inject(SUBJECTS) private readonly s: Subjects,
  ) {
    this.js = nc.jetstream();
  }

  async publish(message: InboundMessage, admittedAt: Date): Promise<void> {
    const admitted: AdmittedMessage = {
      schemaVersion: 1,
      connection: message.connection,
      platform: message.platform,
      admittedAt: admittedAt.toISOString(),
      message,
    };
    await this.js.publish(this.s.admitted(message.connection), JSON.stringify(admitted), { msgID: inboundMessageId(message) });
  }
}
