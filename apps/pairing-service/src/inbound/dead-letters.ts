import { Inject, Injectable } from '@nestjs/common';
import type { JsMsg, NatsConnection } from 'nats';
import type { Subjects } from '@twokey/contracts';
import { JsonLogger } from '@twokey/service-kit';
import { PairingMetrics } from '../infra/metrics';
import { NATS, SUBJECTS } from '../tokens';

/** The original payload is kept up to this size in a dead letter, enough to diagnose without unbounded copies. */
export const MAX_DEAD_LETTER_PAYLOAD_BYTES = 64 * 1024;

/** What lands on `<prefix>.dlq.inbound`. */
export interface InboundDeadLetter {
  reason: string;
  field: string;
  subject: string;
  sequence: number;
  receivedAt: string;
  payloadBase64: string;
  truncated?: boolean;
}

/** Invalid inbound messages go to the dead-letter subject with the reason (never silently dropped), then are acked. */
@Injectable()
export class InboundDeadLetters {
  constructor(
    @Inject(NATS) private readonly nc: NatsConnection,
    @Inject(SUBJECTS) private readonly s: Subjects,
    private readonly metrics: PairingMetrics,
    private readonly logger: JsonLogger,
  ) {}

  send(msg: JsMsg, problem: { reason: string; field: string }): void {
    const truncated = msg.data.length > MAX_DEAD_LETTER_PAYLOAD_BYTES;
    const letter: InboundDeadLetter = {
      reason: problem.reason,
      field: problem.field,
      subject: msg.subject,
      sequence: msg.seq,
      receivedAt: new Date(Math.floor(msg.info.timestampNanos / 1e6)).toISOString(),
      payloadBase64: Buffer.from(msg.data.subarray(0, MAX_DEAD_LETTER_PAYLOAD_BYTES)).toString('base64'),
      ...(truncated ? { truncated } : {}),
    };
    this.nc.publish(this.s.dlq('inbound'), JSON.stringify(letter));
    this.metrics.dlq.inc();
    // The payload may hold message text: it goes to the dead-letter subject only, never to the log.
    this.logger.warn('invalid inbound message sent to the dead-letter subject', {
      reason: problem.reason,
      field: problem.field,
      subject: msg.subject,
      sequence: msg.seq,
    });
  }
}
