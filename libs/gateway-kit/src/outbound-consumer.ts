import { AckPolicy, DeliverPolicy, JsMsg, NatsConnection, nanos, type ConsumerMessages } from 'nats';
import {
  ContractViolation,
  type DeliveryReport,
  type OutboundCommand,
  OutboundCommandSchema,
  outboundCommandType,
  type OutboundCommandType,
  parseContract,
} from '@twokey/contracts';
import type { ReplyCapabilities } from '@twokey/reply-capability';
import type { JsonLogger } from '@twokey/service-kit';
import type { DeadLetters } from './dead-letters';
import type { GatewayMetrics } from './metrics';
import type { DeliveryOutcome, ReplyDelivery } from './reply-delivery';
import { parseJsonSafely } from './safe-json';

export interface OutboundConsumerOptions {
  connection: string;
  stream: string;
  subject: string;
  /** `<prefix>.delivered.<connection>`: one DeliveryReport per command. */
  deliveredSubject: string;
  delivery: ReplyDelivery;
  capabilities: ReplyCapabilities;
  deadLetters: DeadLetters;
  metrics: GatewayMetrics;
  logger: JsonLogger;
  /** After this many failed deliveries a command is terminated, reported failed and dead-lettered. */
  maxAttempts?: number;
  /**
   * Create the durable consumer if it is missing (needs consumer management permissions). Off (ENSURE_STREAMS=false)
   * the consumer only binds to `gateway-<connection>` as the provisioner created it, retrying until it exists.
   */
  createConsumer: boolean;
}

const ACK_WAIT_MS = 60_000;
const WORKING_EVERY_MS = ACK_WAIT_MS / 3;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Redelivery delay after the n-th failed attempt: 1 s, 2 s, 4 s … capped at one minute. */
export const nakDelayMs = (attempt: number) => Math.min(1_000 * 2 ** Math.max(0, attempt - 1), 60_000);

export const outboundConsumerName = (connection: string) => `gateway-${connection}`;

/** What of an unparseable command can still name it in a report (never its text). */
function identify(json: unknown): { idempotencyKey?: string; command: OutboundCommandType; conversationId?: string } {
  const o = (json && typeof json === 'object' ? json : {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' && v.length > 0 && v.length <= 200 ? v : undefined);
  const type = o.type === 'edit-message' || o.type === 'chat-action' ? o.type : 'send-message';
  return { idempotencyKey: str(o.idempotencyKey), command: type, conversationId: str(o.conversationId) };
}

/**
 * Consumes `<prefix>.outbound.<connection>` with the durable pull consumer `gateway-<connection>`, one command at a
 * time (replies stay in order). Parse (v1 and v2) → reply capability for the exact target → ReplyDelivery →
 * DeliveryReport → ack. A refused, invalid or permanently failing command is reported failed and dead-lettered,
 * and no platform call is made for a command whose capability does not verify. This is the only path by which a
 * gateway sends anything to the platform.
 */
export class OutboundConsumer {
  private messages?: ConsumerMessages;
  private stopped = false;
  private loop?: Promise<void>;
  private nc?: NatsConnection;

  constructor(private readonly o: OutboundConsumerOptions) {}

  start(nc: NatsConnection): void {
    this.nc = nc;
    this.loop = this.run(nc);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.messages?.stop();
    await this.loop;
    this.o.delivery.close();
  }

  private async ensureConsumer(nc: NatsConnection): Promise<void> {
    const jsm = await nc.jetstreamManager();
    const durable = outboundConsumerName(this.o.connection);
    try {
      await jsm.consumers.info(this.o.stream, durable);
    } catch {
      await jsm.consumers.add(this.o.stream, {
        durable_name: durable,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        filter_subject: this.o.subject,
        ack_wait: nanos(ACK_WAIT_MS),
        max_deliver: -1,
      });
    }
  }

  private async run(nc: NatsConnection): Promise<void> {
    let backoff = 250;
    while (!this.stopped && !nc.isClosed()) {
      try {
        if (this.o.createConsumer) await this.ensureConsumer(nc);
        const consumer = await nc.jetstream().consumers.get(this.o.stream, outboundConsumerName(this.o.connection));
        // One at a time: a reply may wait minutes for its conversation's write budget, and a pulled message's ack
        // timer runs from its delivery, so a buffer of them would expire and come back while they wait.
        this.messages = await consumer.consume({ max_messages: 1 });
        if (this.stopped) this.messages.stop();
        backoff = 250;
        for await (const m of this.messages) await this.handle(m);
      } catch (e) {
        if (this.stopped || nc.isClosed()) break;
        const missing = !this.o.createConsumer && /consumer not found/i.test((e as Error).message);
        this.o.logger.warn(missing ? 'outbound consumer not provisioned yet; retrying' : 'outbound consumer interrupted; retrying', {
          consumer: outboundConsumerName(this.o.connection),
          error: (e as Error).message,
          retryInMs: backoff,
        });
        await sleep(backoff);
        backoff = Math.min(backoff * 2, 10_000);
      }
    }
  }

  private async handle(m: JsMsg): Promise<void> {
    let cmd: OutboundCommand;
    // Not decodeContract: V8's JSON error quotes the input, and the input is message text.
    const json = parseJsonSafely(Buffer.from(m.data).toString('utf8'));
    try {
      if (!json.ok) throw new ContractViolation('OutboundCommand', '', `is not valid JSON (${json.reason})`, []);
      cmd = parseContract('OutboundCommand', OutboundCommandSchema, json.value);
      if (cmd.connection !== this.o.connection) {
        throw new ContractViolation('OutboundCommand', 'connection', `is "${cmd.connection}", not this gateway's "${this.o.connection}"`, []);
      }
    } catch (e) {
      const v = e as ContractViolation;
      const id = identify(json.ok ? json.value : undefined);
      this.o.deadLetters.send(v.message, { field: v.field, details: { stream: this.o.stream, seq: m.seq, idempotencyKey: id.idempotencyKey ?? null } });
      if (id.idempotencyKey) await this.report(m.seq, { ...id, idempotencyKey: id.idempotencyKey }, failedOutcome('invalid-command', v.message)).catch(() => undefined);
      m.term(); // no reason text: nats-server 2.9 only understands a bare +TERM
      return;
    }
    const command = outboundCommandType(cmd);
    const check = this.o.capabilities.verify(cmd.replyCapability, { connection: this.o.connection, conversationId: cmd.conversationId, threadId: cmd.threadId });
    if (!check.ok) {
      this.o.metrics.outboundFailed.inc();
      this.o.deadLetters.send(`${command} refused: ${check.reason}`, {
        details: { idempotencyKey: cmd.idempotencyKey, conversationId: cmd.conversationId, command },
      });
      await this.settle(m, cmd, failedOutcome('capability-invalid', check.reason), () => m.term());
      return;
    }
    const attempt = m.info.redeliveryCount;
    // Budget waits and a platform's retry_after can outlast the ack wait: tell the server the command is in hand.
    const working = setInterval(() => m.working(), WORKING_EVERY_MS);
    try {
      const outcome =
        cmd.type === 'edit-message' ? await this.o.delivery.edit(cmd) : cmd.type === 'chat-action' ? await this.o.delivery.typing(cmd) : await this.o.delivery.send(cmd);
      if (outcome.status === 'delivered') this.o.metrics.outboundSent.inc();
      else {
        this.o.metrics.outboundFailed.inc();
        if (outcome.failure !== 'over-budget') {
          this.o.deadLetters.send(`${command} not delivered: ${outcome.reason}`, {
            details: { idempotencyKey: cmd.idempotencyKey, conversationId: cmd.conversationId, command, failure: outcome.failure, attempts: attempt },
          });
        }
      }
      await this.settle(m, cmd, outcome, () => m.ack());
    } catch (e) {
      this.o.metrics.outboundFailed.inc();
      if (attempt >= (this.o.maxAttempts ?? 10)) {
        this.o.deadLetters.send(`${command} not delivered: platform kept failing: ${(e as Error).message}`, {
          details: { idempotencyKey: cmd.idempotencyKey, conversationId: cmd.conversationId, command, attempts: attempt },
        });
        // The report goes to the agent: the platform's transport error (which may quote a URL) stays in the DLQ.
        await this.settle(m, cmd, failedOutcome('platform-unavailable', `the platform kept failing (${attempt} attempts)`), () => m.term());
      } else {
        const delay = nakDelayMs(attempt);
        this.o.logger.warn(`${command} failed; will retry`, { idempotencyKey: cmd.idempotencyKey, attempt, retryInMs: delay, error: (e as Error).message });
        m.nak(delay);
      }
    } finally {
      clearInterval(working);
    }
  }

  /**
   * Reports, then settles the message. A report that cannot be stored naks the command instead: its redelivery
   * finds the send complete in the store and only reports again, so no reply goes out twice.
   */
  private async settle(m: JsMsg, cmd: OutboundCommand, outcome: DeliveryOutcome, done: () => void): Promise<void> {
    try {
      await this.report(m.seq, { idempotencyKey: cmd.idempotencyKey, command: outboundCommandType(cmd), conversationId: cmd.conversationId }, outcome);
      done();
    } catch (e) {
      this.o.logger.warn('delivery report not stored; the command will be redelivered', { idempotencyKey: cmd.idempotencyKey, error: (e as Error).message });
      m.nak(1_000);
    }
  }

  /**
   * `seq` (the command's outbound stream sequence) names the report for de-duplication: a redelivered command is
   * reported once, and two commands that (wrongly) share an idempotency key still get a report each.
   */
  private async report(seq: number, id: { idempotencyKey: string; command: OutboundCommandType; conversationId?: string }, outcome: DeliveryOutcome): Promise<void> {
    const nc = this.nc;
    if (!nc) throw new Error('not connected');
    const report: DeliveryReport = {
      schemaVersion: 1,
      connection: this.o.connection,
      idempotencyKey: id.idempotencyKey,
      command: id.command,
      ...(id.conversationId ? { conversationId: id.conversationId } : {}),
      status: outcome.status,
      platformMessageIds: outcome.platformMessageIds,
      ...(outcome.status === 'failed' ? { failure: outcome.failure, reason: outcome.reason.slice(0, 1_000) } : {}),
      at: new Date().toISOString(),
    };
    await nc.jetstream().publish(this.o.deliveredSubject, JSON.stringify(report), { msgID: `${this.o.connection}:report:${seq}` });
  }
}

function failedOutcome(failure: Extract<DeliveryOutcome, { status: 'failed' }>['failure'], reason: string): DeliveryOutcome {
  return { status: 'failed', failure, reason, platformMessageIds: [] };
}
