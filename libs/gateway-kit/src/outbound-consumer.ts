import { AckPolicy, DeliverPolicy, JsMsg, NatsConnection, nanos, type ConsumerMessages } from 'nats';
import { ContractViolation, SendMessage, parseContract } from '@twokey/contracts';
import type { JsonLogger } from '@twokey/service-kit';
import type { DeadLetters } from './dead-letters';
import { PermanentSendError } from './errors';
import { parseJsonSafely } from './safe-json';
import type { GatewayMetrics } from './metrics';

export interface OutboundConsumerOptions {
  connection: string;
  stream: string;
  subject: string;
  send: (m: SendMessage) => Promise<void>;
  deadLetters: DeadLetters;
  metrics: GatewayMetrics;
  logger: JsonLogger;
  /** After this many failed deliveries a command is terminated and dead-lettered. */
  maxAttempts?: number;
  /**
   * Create the durable consumer if it is missing (needs consumer management permissions). Off (ENSURE_STREAMS=false)
   * the consumer only binds to `gateway-<connection>` as the provisioner created it, retrying until it exists.
   */
  createConsumer: boolean;
}

const ACK_WAIT_MS = 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Redelivery delay after the n-th failed attempt: 1 s, 2 s, 4 s … capped at one minute. */
export const nakDelayMs = (attempt: number) => Math.min(1_000 * 2 ** Math.max(0, attempt - 1), 60_000);

export const outboundConsumerName = (connection: string) => `gateway-${connection}`;

/**
 * Consumes `<prefix>.outbound.<connection>` with the durable pull consumer `gateway-<connection>`, one command at a
 * time (replies stay in order). Valid → adapter.send → ack; failure → nak with backoff; invalid or permanently
 * failing → DLQ + term. This is the only path by which a gateway sends anything to the platform.
 */
export class OutboundConsumer {
  private messages?: ConsumerMessages;
  private stopped = false;
  private loop?: Promise<void>;

  constructor(private readonly o: OutboundConsumerOptions) {}

  start(nc: NatsConnection): void {
    this.loop = this.run(nc);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.messages?.stop();
    await this.loop;
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
        this.messages = await consumer.consume({ max_messages: 16 });
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
    let cmd: SendMessage;
    try {
      // Not decodeContract: V8's JSON error quotes the input, and the input is message text.
      const json = parseJsonSafely(Buffer.from(m.data).toString('utf8'));
      if (!json.ok) throw new ContractViolation('SendMessage', '', `is not valid JSON (${json.reason})`, []);
      cmd = parseContract('SendMessage', SendMessage, json.value);
      if (cmd.connection !== this.o.connection) {
        throw new ContractViolation('SendMessage', 'connection', `is "${cmd.connection}", not this gateway's "${this.o.connection}"`, []);
      }
    } catch (e) {
      const v = e as ContractViolation;
      this.o.deadLetters.send(v.message, { field: v.field, details: { stream: this.o.stream, seq: m.seq } });
      m.term(); // no reason text: nats-server 2.9 only understands a bare +TERM
      return;
    }
    const attempt = m.info.redeliveryCount;
    try {
      await this.o.send(cmd);
      m.ack();
      this.o.metrics.outboundSent.inc();
    } catch (e) {
      this.o.metrics.outboundFailed.inc();
      const permanent = e instanceof PermanentSendError || attempt >= (this.o.maxAttempts ?? 10);
      if (permanent) {
        this.o.deadLetters.send(`SendMessage not delivered: ${(e as Error).message}`, {
          details: { idempotencyKey: cmd.idempotencyKey, conversationId: cmd.conversationId, attempts: attempt },
        });
        m.term();
      } else {
        const delay = nakDelayMs(attempt);
        this.o.logger.warn('SendMessage failed; will retry', {
          idempotencyKey: cmd.idempotencyKey,
          attempt,
          retryInMs: delay,
          error: (e as Error).message,
        });
        m.nak(delay);
      }
    }
  }
}
