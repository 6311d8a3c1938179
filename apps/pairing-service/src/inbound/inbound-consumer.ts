import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import {
  AckPolicy,
  DeliverPolicy,
  nanos,
  type ConsumerConfig,
  type ConsumerInfo,
  type ConsumerMessages,
  type JetStreamManager,
  type JsMsg,
  type NatsConnection,
} from 'nats';
import type { Subjects } from '@twokey/contracts';
import { JsonLogger } from '@twokey/service-kit';
import type { PairingServiceConfig } from '../config';
import { ServiceHealth } from '../infra/service-health';
import { AccessRegistry } from '../state/access-registry';
import { CONFIG, NATS, SUBJECTS } from '../tokens';
import { DenialBuffer, NAK_DELAY_MS } from './denial-buffer';
import { maxAckPending } from './flow-limits';
import { InboundHandler } from './inbound-handler';

const PULL_BATCH = 1_024;
const DRAIN_TIMEOUT_MS = 10_000;
const ACK_FLOOR_INTERVAL_MS = 30_000;
/** How long without a delivery, while denials are held, before asking the server whether it stopped delivering. */
const STALL_AFTER_MS = 2_000;

/**
 * The durable pull consumer on TWOKEY_INBOUND shared by every replica. Messages of a pulled batch are handled
 * concurrently: admissions are in-memory decisions plus an async publish, while decisions that append are
 * serialized per connection by the CommandExecutor.
 */
@Injectable()
export class InboundConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private messages?: ConsumerMessages;
  private inFlight = 0;
  /** Deliveries waiting to be decided; told "working" so a slow backlog is not redelivered and decided twice. */
  private readonly deciding = new Set<JsMsg>();
  private workingTimer?: NodeJS.Timeout;
  private idleWaiters: (() => void)[] = [];
  private stopping = false;
  private floorTimer?: NodeJS.Timeout;
  private stallTimer?: NodeJS.Timeout;
  private lastDeliveryAt = Date.now();
  private checkingStall = false;

  constructor(
    @Inject(CONFIG) private readonly config: PairingServiceConfig,
    @Inject(SUBJECTS) private readonly s: Subjects,
    @Inject(NATS) private readonly nc: NatsConnection,
    private readonly handler: InboundHandler,
    private readonly denials: DenialBuffer,
    private readonly registry: AccessRegistry,
    private readonly health: ServiceHealth,
    private readonly logger: JsonLogger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.ensureConsumer(await this.nc.jetstreamManager());
    const consumer = await this.nc.jetstream().consumers.get(this.s.streams.inbound, this.config.consumerName);
    this.denials.start();
    this.messages = await consumer.consume({ max_messages: PULL_BATCH, callback: (m) => this.dispatch(m) });
    this.health.consumerRunning = true;
    this.floorTimer = setInterval(() => {
      consumer.info().then(
        (info) => this.registry.forgetCountedUpTo(info.ack_floor.stream_seq),
        (e) => this.logger.warn('could not read the consumer ack floor', { error: e }),
      );
    }, ACK_FLOOR_INTERVAL_MS);
    this.floorTimer.unref();
    // A pulled backlog can wait longer than the ack wait behind appends (e.g. under a flood of code guesses):
    // without progress acks every such message would be redelivered, decided again and the backlog would grow.
    this.workingTimer = setInterval(() => this.deciding.forEach((m) => m.working()), Math.max(250, this.config.ackWaitMs / 3));
    this.workingTimer.unref();
    this.stallTimer = setInterval(() => this.checkStall(consumer), STALL_AFTER_MS / 2);
    this.stallTimer.unref();
    this.logger.info('consuming inbound messages', { stream: this.s.streams.inbound, consumer: this.config.consumerName });
  }

  /** Stop pulling, finish what is in flight, then append every held denial so those messages are acked. */
  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    this.health.consumerRunning = false;
    clearInterval(this.floorTimer);
    clearInterval(this.workingTimer);
    clearInterval(this.stallTimer);
    await this.messages?.close();
    await this.idle(DRAIN_TIMEOUT_MS);
    await this.denials.stop();
  }

  /**
   * Max-ack-pending is the consumer's, shared by every replica: several replicas can together hold enough denials to
   * reach it while none of them reaches DENIAL_MAX_HELD (or an operator may have lowered it). The server then stops
   * delivering until windows end, the admin's own messages included. When nothing was delivered for a while and
   * denials are held, ask the server; if that is why, flush the held denials early.
   */
  private checkStall(consumer: { info(): Promise<ConsumerInfo> }): void {
    if (this.checkingStall || this.stopping || this.denials.held === 0 || Date.now() - this.lastDeliveryAt < STALL_AFTER_MS) return;
    this.checkingStall = true;
    consumer
      .info()
      .then((info) => {
        const limit = info.config.max_ack_pending ?? -1;
        if (limit <= 0 || info.num_pending === 0 || info.num_ack_pending < limit || this.denials.held === 0) return;
        this.logger.warn('the inbound consumer reached max-ack-pending with denials held (shared by replicas): flushing them early', {
          held: this.denials.held,
          ackPending: info.num_ack_pending,
          maxAckPending: info.config.max_ack_pending,
          pending: info.num_pending,
        });
        this.denials.relieve();
      })
      .catch((e) => this.logger.warn('could not read the inbound consumer state', { error: e }))
      .finally(() => (this.checkingStall = false));
  }

  private dispatch(msg: JsMsg): void {
    this.lastDeliveryAt = Date.now();
    if (this.stopping || this.health.failed) {
      // Not ours to decide any more: another replica (or this one restarted) will. Stop pulling more.
      msg.nak(NAK_DELAY_MS);
      if (!this.stopping) {
        this.stopping = true;
        this.health.consumerRunning = false;
        void this.messages?.close();
      }
      return;
    }
    let waiting: Promise<void> | undefined;
    try {
      waiting = this.handler.handle(msg);
    } catch (e) {
      this.notDecided(msg, e);
      return;
    }
    // Most deliveries are decided at once; only those that wait are tracked.
    if (!waiting) return;
    this.inFlight++;
    this.deciding.add(msg);
    waiting
      .catch((e) => this.notDecided(msg, e))
      .finally(() => {
        this.deciding.delete(msg);
        if (--this.inFlight === 0) this.idleWaiters.splice(0).forEach((wake) => wake());
      });
  }

  private notDecided(msg: JsMsg, e: unknown): void {
    this.logger.error('inbound message not decided; it will be redelivered', { subject: msg.subject, sequence: msg.seq, error: e });
    msg.nak(NAK_DELAY_MS);
  }

  private async idle(timeoutMs: number): Promise<void> {
    if (this.inFlight === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => this.idleWaiters.push(resolve)),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
    ]);
    clearTimeout(timer);
    if (this.inFlight > 0) this.logger.warn('stopped with inbound messages still in flight; they will be redelivered', { count: this.inFlight });
  }

  /** Creates the durable consumer, or updates the settings that may change between releases. */
  private async ensureConsumer(jsm: JetStreamManager): Promise<void> {
    const stream = this.s.streams.inbound;
    const name = this.config.consumerName;
    const editable = { ack_wait: nanos(this.config.ackWaitMs), max_ack_pending: maxAckPending(this.config.denialMaxHeld), max_deliver: -1 };
    try {
      await jsm.consumers.info(stream, name);
    } catch (e) {
      if (!isNotFound(e)) throw e;
      const config: Partial<ConsumerConfig> = {
        durable_name: name,
        filter_subject: this.s.inboundAll(),
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        ...editable,
      };
      await jsm.consumers.add(stream, config);
      return;
    }
    await jsm.consumers.update(stream, name, editable);
  }
}

function isNotFound(e: unknown): boolean {
  const err = e as { code?: string; api_error?: { err_code?: number }; message?: string };
  return err.api_error?.err_code === 10014 || err.code === '404' || /consumer not found/i.test(err.message ?? '');
}
