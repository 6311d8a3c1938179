import { Inject, Injectable } from '@nestjs/common';
import type { JsMsg } from 'nats';
import {
  ContractViolation,
  decodeContract,
  InboundMessage,
  inboundMessageId,
  type Subjects,
} from '@twokey/contracts';
import type { Command, Decision } from '@twokey/pairing-domain';
import { PairingMetrics } from '../infra/metrics';
import { CommandExecutor } from '../state/command-executor';
import { AccessRegistry } from '../state/access-registry';
import { CLOCK, SUBJECTS, type Clock } from '../tokens';
import { AdmittedPublisher } from './admitted-publisher';
import { InboundDeadLetters } from './dead-letters';
import { DenialBuffer } from './denial-buffer';

/** A code judged invalid or expired: if another replica has just issued the token, this one must see it first. */
export function isFailedCodeAttempt(decision: Decision): boolean {
  return (
    decision.ok &&
    decision.events.some((e) => e.type === 'MessageDenied' && (e.data.reason === 'pairing-code-invalid' || e.data.reason === 'pairing-code-expired'))
  );
}

/**
 * One inbound message, from validation to ack. Acks only after what the decision requires is durable: the
 * AdmittedMessage stored, the events appended, or (for a coalesced denial) the MessageDenied that counts it.
 * Throws when something failed; the consumer then naks the message for a later retry.
 */
@Injectable()
export class InboundHandler {
  private readonly subjectPrefix: string;

  constructor(
    @Inject(SUBJECTS) s: Subjects,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly executor: CommandExecutor,
    private readonly registry: AccessRegistry,
    private readonly denials: DenialBuffer,
    private readonly admitted: AdmittedPublisher,
    private readonly deadLetters: InboundDeadLetters,
    private readonly metrics: PairingMetrics,
  ) {
    // Derived from the subject builder, so the subject layout is defined in one place (contracts).
    this.subjectPrefix = s.inbound('x').slice(0, -'x'.length);
  }

  async handle(msg: JsMsg): Promise<void> {
    const message = this.decode(msg);
    if (!message) return;
    // A redelivery of a denial still held (or being appended) is acked with the event that counts it.
    if (this.denials.refresh(msg)) return;

    const connection = message.connection;
    const seq = msg.seq;
    const id = inboundMessageId(message);
    const build = (): Command | undefined => {
      // Decided already (by another delivery of it, or before a crash or a lost ack): counted in a MessageDenied,
      // held for one, or it observed a token. Checked whether or not JetStream flags the delivery as redelivered:
      // the first delivery may be the one still waiting while its redelivery was decided.
      if (this.registry.isCounted(seq) || this.denials.isWaiting(seq)) return undefined;
      if (this.registry.wasObserved(connection, message.platformMessageId)) return undefined;
      return { type: 'ObserveMessage', message, inboundSequence: seq, now: this.clock() };
    };
    const execution =
      this.executor.decideIfIdle(connection, build) ??
      (await this.executor.execute(connection, build, {
        correlationId: id,
        causationId: id,
        actor: { type: 'platform-user', id: message.actor.id, name: message.actor.displayName },
        dedupeKey: id,
        needsFreshState: isFailedCodeAttempt,
      }));
    if (execution.kind === 'skipped') {
      if (!this.denials.refresh(msg)) msg.ack();
      this.metrics.redeliveriesSkipped.inc();
      return;
    }
    const { decision, command } = execution;
    if (!decision.ok) {
      // Only an inconsistent message gets here (the decider refuses it); it must not vanish either.
      this.deadLetters.send(msg, { reason: decision.error.message, field: decision.error.field ?? '' });
      msg.ack();
      return;
    }
    const outcome = decision.outcome;
    this.metrics.decisions.inc({ connection, decision: outcome.kind });
    if (outcome.kind === 'admitted') {
      await this.admitted.publish(message, command.now);
      msg.ack();
    } else if (outcome.kind === 'denied' && outcome.coalesce) {
      await this.denials.add(connection, outcome.coalesce, msg);
    } else {
      msg.ack();
    }
  }

  /** The validated message, or undefined after sending the delivery to the dead-letter subject and acking it. */
  private decode(msg: JsMsg): InboundMessage | undefined {
    try {
      const message = decodeContract('InboundMessage', InboundMessage, msg.data);
      const subjectConnection = msg.subject.startsWith(this.subjectPrefix) ? msg.subject.slice(this.subjectPrefix.length) : '';
      if (subjectConnection !== message.connection) {
        throw new ContractViolation(
          'InboundMessage',
          'connection',
          `is "${message.connection}" but the message was published on ${msg.subject}`,
          [],
        );
      }
      return message;
    } catch (e) {
      if (!(e instanceof ContractViolation)) throw e;
      this.deadLetters.send(msg, { reason: e.message, field: e.field });
      msg.ack();
      return undefined;
    }
  }
}
