import type { ConsumerMessages, NatsConnection } from 'nats';
import { DeliveryReport, parseContract, type Subjects } from '@twokey/contracts';
import type { JsonLogger } from '@twokey/service-kit';
import type { BridgeStatus } from '../bridge/bridge-status';
import type { GatewayProfiles } from '../bridge/gateway-profiles';
import type { Replier } from '../bridge/replier';
import type { BridgeMetrics } from '../metrics';

export const deliveredConsumerName = (agentConsumer: string) => `${agentConsumer}-delivered`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Reads the gateways' DeliveryReports (`<prefix>.delivered.>`, consumer `agent-delivered`) so that a reply that did
 * not arrive is known: logged, counted and shown in the status. Two failures are worth one more try, as a new
 * plain message: an edit the gateway cannot do (`unsupported`, the final text then goes out whole) and a final
 * Markdown reply the platform refused. Intermediate edits dropped over budget are expected and only counted.
 */
export class DeliveryReports {
  private messages?: ConsumerMessages;
  private stopped = false;
  private loop?: Promise<void>;

  constructor(
    private readonly nc: NatsConnection,
    private readonly s: Subjects,
    private readonly consumerName: string,
    private readonly replier: Replier,
    private readonly profiles: GatewayProfiles,
    private readonly status: BridgeStatus,
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
    let backoff = 1_000;
    while (!this.stopped && !this.nc.isClosed()) {
      try {
        const consumer = await this.nc.jetstream().consumers.get(this.s.streams.delivered, this.consumerName);
        this.messages = await consumer.consume({ max_messages: 64 });
        if (this.stopped) this.messages.stop();
        backoff = 1_000;
        for await (const m of this.messages) {
          try {
            await this.handle(parseContract('DeliveryReport', DeliveryReport, m.json()));
          } catch (e) {
            this.logger.warn('unreadable delivery report skipped', { seq: m.seq, error: (e as Error).message });
          }
          m.ack();
        }
      } catch (e) {
        if (this.stopped || this.nc.isClosed()) break;
        this.logger.debug('delivery reports not readable yet; retrying', { consumer: this.consumerName, error: (e as Error).message });
        await sleep(backoff);
        backoff = Math.min(backoff * 2, 30_000);
      }
    }
  }

  async handle(r: DeliveryReport): Promise<void> {
    const sent = this.replier.inFlight.get(r.idempotencyKey);
    if (!sent) return;
    this.replier.inFlight.delete(r.idempotencyKey);
    if (r.status === 'delivered') return;
    this.metrics.deliveryFailures.inc({ failure: r.failure ?? 'unknown' });
    if (r.failure === 'over-budget' && !sent.final) return;
    this.status.deliveryFailed(r);
    this.logger.warn('a reply was not delivered', { connection: r.connection, idempotencyKey: r.idempotencyKey, command: r.command, failure: r.failure, reason: r.reason });
    const retry = sent.final && sent.text && !r.idempotencyKey.endsWith('.plain') && (r.failure === 'unsupported' || r.failure === 'platform-rejected');
    if (r.failure === 'unsupported' && sent.command === 'edit-message') this.profiles.noEdits(r.connection);
    if (retry) await this.replier.send(sent.target, `${r.idempotencyKey}.plain`, sent.text!, { format: 'plain', final: true });
  }
}
