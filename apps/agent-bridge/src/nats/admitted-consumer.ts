import type { ConsumerMessages, JsMsg, NatsConnection } from 'nats';
import { AdmittedMessage, ContractViolation, decodeContract, type Subjects } from '@twokey/contracts';
import type { JsonLogger } from '@twokey/service-kit';
import type { Bridge } from '../bridge/bridge';
import type { BridgeMetrics } from '../metrics';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Reads `<prefix>.admitted.>` through the durable pull consumer `agent` (created by the provisioner with a bounded
 * max_deliver). An unreadable message, or one that reaches max_deliver, is dead-lettered on `<prefix>.dlq.agent`
 * and terminated; everything else goes to the bridge, which acks.
 */
export class AdmittedConsumer {
  private messages?: ConsumerMessages;
  private stopped = false;
  private loop?: Promise<void>;
  running = false;
  maxDeliver = -1;

  constructor(
    private readonly nc: NatsConnection,
    private readonly s: Subjects,
    private readonly consumerName: string,
    private readonly bridge: Bridge,
    private readonly metrics: BridgeMetrics,
    private readonly logger: JsonLogger,
  ) {}

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.messages?.stop();
    await this.loop;
  }

  private async run(): Promise<void> {
    let backoff = 250;
    while (!this.stopped && !this.nc.isClosed()) {
      try {
        const consumer = await this.nc.jetstream().consumers.get(this.s.streams.admitted, this.consumerName);
        this.maxDeliver = (await consumer.info(true)).config.max_deliver ?? -1;
        this.messages = await consumer.consume({ max_messages: 64 });
        if (this.stopped) this.messages.stop();
        this.running = true;
        backoff = 250;
        // Not awaited: the bridge orders each session's messages itself, and sessions proceed in parallel.
        for await (const m of this.messages) this.handle(m);
      } catch (e) {
        this.running = false;
        if (this.stopped || this.nc.isClosed()) break;
        this.logger.warn('admitted consumer interrupted; retrying', { consumer: this.consumerName, error: (e as Error).message, retryInMs: backoff });
        await sleep(backoff);
        backoff = Math.min(backoff * 2, 10_000);
      }
    }
    this.running = false;
  }

  private deadLetter(m: JsMsg, reason: string): void {
    this.metrics.dlq.inc();
    this.logger.error('admitted message dead-lettered', { seq: m.seq, reason });
    this.nc.publish(this.s.dlq('agent'), JSON.stringify({ origin: 'agent', reason, stream: this.s.streams.admitted, seq: m.seq, at: new Date().toISOString() }));
    m.term();
  }

  private handle(m: JsMsg): void {
    let admitted: AdmittedMessage;
    try {
      admitted = decodeContract('AdmittedMessage', AdmittedMessage, m.data);
    } catch (e) {
      return this.deadLetter(m, e instanceof ContractViolation ? e.message : 'unreadable');
    }
    const deliveryCount = m.info.redeliveryCount;
    this.bridge
      .handle(admitted, {
        deliveryCount,
        ack: () => m.ack(),
        working: () => m.working(),
        nak: (delay) => m.nak(delay),
        term: () => m.term(),
      })
      .catch((e: Error) => {
        if (this.maxDeliver > 0 && deliveryCount >= this.maxDeliver) return this.deadLetter(m, `not handled after ${deliveryCount} deliveries: ${e.message}`);
        this.logger.warn('admitted message not handled; will be redelivered', { seq: m.seq, deliveryCount, error: e.message });
        m.nak(Math.min(1_000 * 2 ** deliveryCount, 30_000));
      });
  }
}
