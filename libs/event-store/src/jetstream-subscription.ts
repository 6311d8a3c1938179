import type { ConsumerMessages, JetStreamClient, JetStreamManager, JsMsg, NatsConnection } from 'nats';
import type { StoredEvent } from '@twokey/contracts';
import type { EventSubscription, SubscribeOptions } from './event-store';
import { readerConfig } from './jetstream-consumers';

export interface SubscriptionDeps {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm(): Promise<JetStreamManager>;
  streamName: string;
  batchSize: number;
  /** Pull expiry; heartbeats come at half of it, and a lost consumer is noticed within about that long. */
  expiresMs: number;
  decode(msg: JsMsg): StoredEvent[];
  headPosition(): Promise<number>;
}

/** Ends the subscription (an event that cannot be decoded, a handler that threw) rather than resuming it. */
class Fatal {
  constructor(readonly error: Error) {}
}

const RETRY_DELAYS_MS = [50, 100, 250, 500, 1_000, 2_000];
/** Longest stretch of synchronous delivery before the subscriber lets other work (HTTP, timers) run. */
const YIELD_EVERY_MS = 10;

/**
 * Catch-up then live over one ephemeral pull consumer from `position() + 1`. The subscription, not the consumer,
 * owns the position: when the consumer is lost (server restart, missed heartbeats, a lost pull) it creates a new
 * one from the last delivered commit, so nothing is skipped or delivered twice.
 */
export class JetStreamSubscription implements EventSubscription {
  readonly caughtUp: Promise<void>;
  private settleCaughtUp!: (error?: Error) => void;
  private last: number;
  private closed = false;
  private delivering = false;
  private lastYield = performance.now();
  private messages?: ConsumerMessages;
  private wake?: () => void;
  private readonly done: Promise<void>;

  constructor(
    private readonly deps: SubscriptionDeps,
    private readonly options: SubscribeOptions,
  ) {
    this.last = options.afterPosition;
    this.caughtUp = new Promise<void>((resolve, reject) => {
      let settled = false;
      this.settleCaughtUp = (error) => {
        if (settled) return;
        settled = true;
        if (error) reject(error);
        else resolve();
      };
    });
    // Nobody has to await caughtUp; a rejection nobody listens to must not take the process down.
    this.caughtUp.catch(() => undefined);
    this.done = this.run();
  }

  position(): number {
    return this.last;
  }

  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.messages?.stop();
      this.wake?.();
      this.settleCaughtUp(new Error('the subscription was closed before it caught up'));
    }
    // Called from inside onEvent: the loop is waiting for that handler, so it cannot be awaited here.
    if (!this.delivering) await this.done;
  }

  private async run(): Promise<void> {
    let head: number | undefined;
    let attempt = 0;
    while (!this.closed) {
      const before = this.last;
      try {
        head ??= await this.deps.headPosition();
        if (this.last >= head) this.settleCaughtUp();
        await this.consume(head);
      } catch (e) {
        if (e instanceof Fatal) return this.fail(e.error);
        if (this.deps.nc.isClosed()) return this.fail(new Error('the NATS connection was closed', { cause: e }));
        // Anything else is transport: disconnected, JetStream not ready yet after a restart, consumer gone.
      }
      if (this.last > before) attempt = 0;
      if (!this.closed) await this.pause(RETRY_DELAYS_MS[Math.min(attempt++, RETRY_DELAYS_MS.length - 1)]);
    }
  }

  private async consume(head: number): Promise<void> {
    const { js, streamName } = this.deps;
    const jsm = await this.deps.jsm();
    const info = await jsm.consumers.add(streamName, readerConfig(this.last + 1));
    try {
      if (info.num_pending === 0) this.settleCaughtUp();
      const messages = await js.consumers.getPullConsumerFor(info).consume({
        max_messages: this.deps.batchSize,
        expires: this.deps.expiresMs,
        abort_on_missing_resource: true,
      });
      this.messages = messages;
      if (this.closed) messages.stop();
      let deliverySeq = 0;
      for await (const m of messages) {
        if (this.closed) break;
        // A pull answered after a reconnect can skip deliveries: start over from the last delivered commit.
        if (m.info.deliverySequence !== ++deliverySeq) return;
        if (m.seq <= this.last) continue;
        await this.deliver(m);
        await this.yieldIfBusy();
        if (this.last >= head || m.info.pending === 0) this.settleCaughtUp();
      }
    } finally {
      this.messages?.stop();
      this.messages = undefined;
      // Not awaited: after a restart the consumer is gone anyway and the request would only delay the resume.
      jsm.consumers.delete(streamName, info.name).catch(() => undefined);
    }
  }

  /**
   * Buffered commits are handed over in microtasks only: a long catch-up (or a burst of large commits) would keep
   * the process from answering HTTP requests. Give the event loop a turn every few milliseconds.
   */
  private async yieldIfBusy(): Promise<void> {
    const now = performance.now();
    if (now - this.lastYield < YIELD_EVERY_MS) return;
    await new Promise((resolve) => setImmediate(resolve));
    this.lastYield = performance.now();
  }

  /** Delivers a whole commit; the position moves only once all its events were handled. */
  private async deliver(m: JsMsg): Promise<void> {
    let events: StoredEvent[];
    try {
      events = this.deps.decode(m);
    } catch (e) {
      throw new Fatal(asError(e));
    }
    this.delivering = true;
    try {
      for (const event of events) {
        if (this.closed) return;
        await this.options.onEvent(event);
      }
      this.last = m.seq;
    } catch (e) {
      throw new Fatal(asError(e));
    } finally {
      this.delivering = false;
    }
  }

  private fail(error: Error): void {
    this.closed = true;
    this.messages?.stop();
    this.settleCaughtUp(error);
    try {
      this.options.onError?.(error);
    } catch {
      // The subscription is already stopped; a throwing error handler has nothing left to break.
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => wake(), ms);
      const wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      this.wake = wake;
    });
  }
}

const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));
