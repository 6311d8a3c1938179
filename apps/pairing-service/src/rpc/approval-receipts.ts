import { Inject, Injectable } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import type { SendMessageV2, Subjects } from '@twokey/contracts';
import type { ObservationRecord } from '@twokey/pairing-domain';
import { ReplyCapabilities } from '@twokey/reply-capability';
import { JsonLogger } from '@twokey/service-kit';
import type { PairingServiceConfig } from '../config';
import { CONFIG, NATS, SUBJECTS } from '../tokens';

/**
 * System messages (opt-in per connection, SYSTEM_MESSAGES): after an admin approves an observation, a short receipt
 * where the code was posted ("you're approved"), signed with a capability the pairing-service mints for exactly
 * that conversation, through the gateway like any reply. Manual additions get none: the service knows no
 * conversation to write to. Nats-Msg-Id `receipt:<observationId>` sends it once, whichever replica approves.
 */
@Injectable()
export class ApprovalReceipts {
  private readonly capabilities: ReplyCapabilities;

  constructor(
    @Inject(NATS) private readonly nc: NatsConnection,
    @Inject(SUBJECTS) private readonly s: Subjects,
    @Inject(CONFIG) private readonly config: PairingServiceConfig,
    private readonly logger: JsonLogger,
  ) {
    this.capabilities = new ReplyCapabilities(config.replyCapability.secret, config.replyCapability.ttlSeconds);
  }

  private enabled(connection: string): boolean {
    const on = this.config.systemMessages.connections;
    return on === '*' || on.includes(connection);
  }

  /** Never fails the approval: a receipt that cannot be published is logged. */
  async approved(connection: string, observation: ObservationRecord): Promise<void> {
    if (!this.enabled(connection)) return;
    const target = { conversationId: observation.conversation.id, threadId: observation.conversation.threadId };
    const cmd: SendMessageV2 = {
      schemaVersion: 2,
      type: 'send-message',
      connection,
      idempotencyKey: `receipt:${observation.observationId}`,
      ...target,
      text: observation.purpose === 'user' ? this.config.systemMessages.userApproved : this.config.systemMessages.spaceApproved,
      format: 'plain',
      final: true,
      replyCapability: this.capabilities.sign({ connection, ...target }),
    };
    try {
      await this.nc.jetstream().publish(this.s.outbound(connection), JSON.stringify(cmd), { msgID: cmd.idempotencyKey });
    } catch (e) {
      this.logger.warn('approval receipt not published', { connection, observationId: observation.observationId, error: e });
    }
  }
}
