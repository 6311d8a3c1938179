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
import { CommandExecutor, type Execution } from '../state/command-executor';
import { AccessRegistry } from '../state/access-registry';
import { CLOCK, SUBJECTS, type Clock } from '../tokens';
import { AdmittedPublisher } from './admitted-publisher';
import { InboundDeadLetters } from './dead-letters';
import { DenialBuffer } from './denial-buffer';

const FAILED_CODE_REASONS: ReadonlySet<string> = new Set(['pairing-code-invalid', 'pairing-code-expired', 'pairing-code-used']);

/** A code judged invalid, expired or used: if another replica has just issued the token, this one must see it first. */
export function isFailedCodeAttempt(decision: Decision): boolean {
  return decision.ok && decision.events.some((e) => e.type === 'MessageDenied' && FAILED_CODE_REASONS.has(e.data.reason));
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

  /**
   * Decides one delivery. Returns a promise only when the decision has to wait (the connection is busy appending, the
   * decision has events to append, an admitted message must be stored); undefined when it was decided at once, as a
   * flood's denials are. The consumer keeps track of the waiting ones only: tracking every delivery (a promise chain
   * and a set entry each) left garbage that kept deliveries alive into the old generation (bench/README.md).
   * Throws, or rejects, when something failed; the consumer then naks the message for a later retry.
   */
  handle(msg: JsMsg): Promise<void> | undefined {
    const message = this.decode(msg);
    if (!message) return undefined;
    // A redelivery of a denial still held (or being appended) is acked with the event that counts it.
    if (this.denials.refresh(msg)) return undefined;

    const connection = message.connection;
    const seq = msg.seq;
    const build = (): Command | undefined => {
      // Decided already (by another delivery of it, or before a crash or a lost ack): counted in a MessageDenied,
      // held for one, or it observed a token. Checked whether or not JetStream flags the delivery as redelivered:
      // the first delivery may be the one still waiting while its redelivery was decided.
      if (this.registry.isCounted(seq) || this.denials.isWaiting(seq)) return undefined;
      if (this.registry.wasObserved(connection, message.platformMessageId)) return undefined;
      return { type: 'ObserveMessage', message, inboundSequence: seq, now: this.clock() };
    };
    const execution = this.executor.decideIfIdle(connection, build);
    return execution ? this.act(msg, message, execution) : this.decideInTurn(msg, message, build);
  }

  /** The connection is busy, or the decision has events: decided in turn with the other decisions that append. */
  private async decideInTurn(msg: JsMsg, message: InboundMessage, build: () => Command | undefined): Promise<void> {
    const id = inboundMessageId(message);
    const execution = await this.executor.execute(message.connection, build, {
      correlationId: id,
      causationId: id,
      actor: { type: 'platform-user', id: message.actor.id, name: message.actor.displayName },
      dedupeKey: id,
      needsFreshState: isFailedCodeAttempt,
    });
    await this.act(msg, message, execution);
  }

  /** Acks (or hands over) the delivery once what the decision requires is durable; a promise only if that waits. */
  private act(msg: JsMsg, message: InboundMessage, execution: Execution): Promise<void> | undefined {
    if (execution.kind === 'skipped') {
      if (!this.denials.refresh(msg)) msg.ack();
      this.metrics.redeliveriesSkipped.inc();
      return undefined;
    }
    const { decision, command } = execution;
    if (!decision.ok) {
      // Only an inconsistent message gets here (the decider refuses it); it must not vanish either.
      this.deadLetters.send(msg, { reason: decision.error.message, field: decision.error.field ?? '' });
      msg.ack();
      return undefined;
    }
    const outcome = decision.outcome;
    this.metrics.decisions.inc({ connection: message.connection, decision: outcome.kind });
    if (outcome.kind === 'admitted') return this.admit(msg, message, command.now);
    if (outcome.kind === 'denied' && outcome.coalesce) {
      // Acked by the buffer once the MessageDenied counting it is appended; nothing to wait for here, so neither
      // this delivery nor its decoded message stays alive while that commit waits.
      this.denials.add(message.connection, outcome.coalesce, msg);
    } else {
      msg.ack();
    }
    return undefined;
  }

  private async admit(msg: JsMsg, message: InboundMessage, admittedAt: Date): Promise<void> {
    await this.admitted.publish(message, admittedAt);
    msg.ack();
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
