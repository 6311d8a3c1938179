import type { JetStreamClient } from 'nats';
import { ContractViolation, InboundMessage, inboundMessageId, parseContract, type Platform } from '@twokey/contracts';
import type { JsonLogger } from '@twokey/service-kit';
import type { DeadLetters } from './dead-letters';
import { GatewayBufferFull } from './errors';
import type { GatewayMetrics } from './metrics';
import type { InboundSink } from './platform-adapter';

interface Pending {
  data: Uint8Array;
  msgID: string;
  /** Resolves the caller's publish(): once stored, or once the first attempt failed and the message is buffered. */
  accept: () => void;
  accepted: boolean;
}

export interface InboundPublisherOptions {
  connection: string;
  platform: Platform;
  subject: string;
  bufferMax: number;
  publishTimeoutMs: number;
  /** How long publish() waits for room in a full buffer (back-pressure) before refusing the message. */
  fullWaitMs?: number;
  js: () => JetStreamClient | undefined;
  deadLetters: DeadLetters;
  metrics: GatewayMetrics;
  logger: JsonLogger;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The gateway's InboundSink. Every message is validated against the contract, then goes through one bounded FIFO
 * that a single drainer publishes in order with `msgID = <connection>:<platformMessageId>`. While NATS is away the
 * FIFO holds the messages; a retry (after a timeout, a reconnect or a restart of NATS) reuses the same msgID, so
 * JetStream stores each message exactly once.
 */
export class InboundPublisher implements InboundSink {
  private readonly queue: Pending[] = [];
  private draining = false;
  private stopped = false;
  private outage = false;
  private readonly spaceWaiters: (() => void)[] = [];
  private lastDelivery: number | undefined;

  constructor(private readonly o: InboundPublisherOptions) {}

  get size(): number {
    return this.queue.length;
  }

  /** When the adapter last handed anything over (published or rejected): the platform was talking to us then. */
  get lastDeliveryAt(): Date | undefined {
    return this.lastDelivery === undefined ? undefined : new Date(this.lastDelivery);
  }

  async publish(message: InboundMessage): Promise<void> {
    this.lastDelivery = Date.now();
    let valid: InboundMessage;
    try {
      valid = parseContract('InboundMessage', InboundMessage, message);
      if (valid.connection !== this.o.connection || valid.platform !== this.o.platform) {
        throw new ContractViolation('InboundMessage', valid.connection !== this.o.connection ? 'connection' : 'platform',
          `does not belong to this gateway (${this.o.platform}/${this.o.connection})`, []);
      }
    } catch (e) {
      if (!(e instanceof ContractViolation)) throw e;
      const id = (message as Partial<InboundMessage> | undefined)?.platformMessageId;
      this.o.metrics.inboundRejected.inc({ reason: 'invalid-inbound-message' });
      this.o.deadLetters.send(e.message, {
        field: e.field,
        platformMessageId: typeof id === 'string' ? id.slice(0, 256) : undefined,
      });
      return;
    }
    if (this.queue.length >= this.o.bufferMax) await this.waitForRoom(valid);
    return new Promise<void>((resolve) => {
      const item: Pending = {
        data: Buffer.from(JSON.stringify(valid)),
        msgID: inboundMessageId(valid),
        accepted: false,
        accept: () => {
          if (item.accepted) return;
          item.accepted = true;
          resolve();
        },
      };
      this.queue.push(item);
      // During an outage the message is as safe in the buffer as it will get: let the platform intake go on.
      if (this.outage) item.accept();
      this.o.metrics.bufferSize.set(this.queue.length);
      void this.drain();
    });
  }

  reject(reason: string, details: Record<string, unknown> = {}): void {
    this.lastDelivery = Date.now();
    this.o.metrics.inboundRejected.inc({ reason: 'adapter' });
    const { platformMessageId, field, ...rest } = details;
    this.o.deadLetters.send(reason, {
      field: typeof field === 'string' ? field : undefined,
      platformMessageId: typeof platformMessageId === 'string' ? platformMessageId : undefined,
      details: rest,
    });
  }

  /** Called on reconnect so a waiting drainer retries at once instead of after its backoff. */
  nudge(): void {
    this.wake?.();
    void this.drain();
  }

  private wake?: () => void;

  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    }).finally(() => (this.wake = undefined));
  }

  /** Stops draining after trying to empty the buffer for up to `timeoutMs`; what is left is logged, by count. */
  async stop(timeoutMs = 2_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.queue.length && Date.now() < deadline) await sleep(25);
    this.stopped = true;
    if (this.queue.length) {
      this.o.logger.error('gateway stopped with inbound messages still buffered; they were not published', { count: this.queue.length });
    }
    for (const w of this.spaceWaiters.splice(0)) w();
  }

  private async waitForRoom(m: InboundMessage): Promise<void> {
    const wait = this.o.fullWaitMs ?? 5_000;
    const room = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), wait);
      this.spaceWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    if (await room) return;
    this.o.metrics.inboundRefused.inc();
    const err = new GatewayBufferFull(this.o.bufferMax);
    this.o.logger.error(err.message, { platformMessageId: m.platformMessageId });
    throw err;
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    let backoff = 100;
    try {
      while (this.queue.length && !this.stopped) {
        const head = this.queue[0];
        const js = this.o.js();
        try {
          if (!js) throw new Error('not connected to NATS yet');
          const ack = await js.publish(this.o.subject, head.data, { msgID: head.msgID, timeout: this.o.publishTimeoutMs });
          this.queue.shift();
          head.accept();
          this.o.metrics.bufferSize.set(this.queue.length);
          this.spaceWaiters.shift()?.();
          if (ack.duplicate) this.o.logger.debug('inbound message was a duplicate; JetStream kept the first', { msgID: head.msgID });
          else this.o.metrics.inboundPublished.inc();
          if (this.outage) {
            this.outage = false;
            this.o.logger.info('NATS publishing resumed', { buffered: this.queue.length });
          }
          backoff = 100;
        } catch (e) {
          // Keep the messages; their callers may go on (they are safe in the buffer until NATS is back).
          for (const item of this.queue) item.accept();
          if (!this.outage) {
            this.outage = true;
            this.o.logger.warn('NATS publish failed; buffering inbound messages and retrying with the same msgID', {
              buffered: this.queue.length,
              error: (e as Error).message,
            });
          }
          await this.pause(backoff);
          backoff = Math.min(backoff * 2, 2_000);
        }
      }
    } finally {
      this.draining = false;
    }
  }
}
