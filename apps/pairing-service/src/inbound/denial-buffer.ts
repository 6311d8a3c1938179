import { Inject, Injectable } from '@nestjs/common';
import type { JsMsg, NatsConnection } from 'nats';
import { activityStream, SYSTEM_INITIATOR } from '@twokey/contracts';
import type { EventStore } from '@twokey/event-store';
import {
  coalesce,
  emptyCoalescer,
  flushAll,
  flushDue,
  flushHeld,
  type CoalescerOptions,
  type CoalescerState,
  type Denial,
  type MessageDeniedData,
} from '@twokey/pairing-domain';
import { JsonLogger } from '@twokey/service-kit';
import type { PairingServiceConfig } from '../config';
import { PairingMetrics } from '../infra/metrics';
import { AccessRegistry } from '../state/access-registry';
import { CLOCK, CONFIG, EVENT_STORE, NATS, type Clock } from '../tokens';
import { type HeldDelivery, HeldDeliveries } from './held-deliveries';

/** How often ended windows are flushed; small next to any window so a held denial waits at most this much longer. */
export const FLUSH_INTERVAL_MS = 250;
/** Redelivery delay after a failed append. */
export const NAK_DELAY_MS = 1_000;

const ACK = new TextEncoder().encode('+ACK');
const NAK = new TextEncoder().encode(`-NAK ${JSON.stringify({ delay: NAK_DELAY_MS * 1_000_000 })}`);

interface GroupCommit {
  running: boolean;
  queued: MessageDeniedData[];
}

/** Bounds of one commit, well under NATS's default 1 MiB payload (an inbound sequence is ≤ 16 bytes of JSON). */
const MAX_EVENTS_PER_COMMIT = 500;
const MAX_SEQUENCES_PER_COMMIT = 20_000;

/** How many of the queued events (at least one) fit in the next commit. */
function commitSize(queued: readonly MessageDeniedData[]): number {
  let sequences = 0;
  let n = 0;
  while (n < queued.length && n < MAX_EVENTS_PER_COMMIT) {
    sequences += queued[n].inboundSequences?.length ?? 0;
    if (n > 0 && sequences > MAX_SEQUENCES_PER_COMMIT) break;
    n++;
  }
  return n;
}

function heldDelivery(msg: JsMsg): HeldDelivery {
  // nats.js's JsMsg implementation exposes the ack subject as `reply` (not in its interface): fall back to the
  // message itself should that ever change.
  return (msg as JsMsg & { reply?: string }).reply || msg;
}

/**
 * Coalesced denials (rule 7) with at-least-once delivery: a denied message is acked only once the MessageDenied
 * that counts it (by inbound sequence) is appended. Until then it is held un-acked; the consumer's ack wait is longer
 * than a window, so it is not redelivered meanwhile. A failed append naks the messages it covered, and they are
 * decided again.
 */
@Injectable()
export class DenialBuffer {
  private readonly coalescers = new Map<string, CoalescerState>();
  /** Inbound sequence → the delivery to ack once its denial is appended (held, or part of an append in flight). */
  private readonly waiting = new HeldDeliveries();
  /** Of the waiting deliveries, those counted in a commit queued or in flight: the rest are held in windows. */
  private appending = 0;
  private readonly appends = new Set<Promise<void>>();
  private readonly groups = new Map<string, GroupCommit>();
  private readonly options: CoalescerOptions;
  private readonly maxHeld: number;
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(CONFIG) config: PairingServiceConfig,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(NATS) private readonly nc: NatsConnection,
    private readonly registry: AccessRegistry,
    private readonly metrics: PairingMetrics,
    private readonly logger: JsonLogger,
  ) {
    this.options = { windowMs: config.denialWindowMs, maxCount: config.denialMaxCoalesce };
    this.maxHeld = config.denialMaxHeld;
  }

  start(): void {
    this.timer ??= setInterval(() => this.flushDue(this.clock()), FLUSH_INTERVAL_MS);
  }

  /** True when this message's denial is already held or being appended; keeps the newest delivery for the ack. */
  refresh(msg: JsMsg): boolean {
    if (!this.waiting.has(msg.seq)) return false;
    this.waiting.set(msg.seq, heldDelivery(msg));
    return true;
  }

  /** Denials held in windows (not yet in a commit). */
  get held(): number {
    return this.waiting.size - this.appending;
  }

  isWaiting(inboundSequence: number): boolean {
    return this.waiting.has(inboundSequence);
  }

  /**
   * Feeds one denial to its connection's coalescer. The delivery is kept (as its ack subject) and acked once the
   * MessageDenied that counts it is appended, or nak'ed if that append fails: the caller has nothing to wait for, and
   * must not keep the JsMsg (nor the decoded message) alive meanwhile.
   */
  add(connection: string, denial: Denial, msg: JsMsg): void {
    // Two deliveries of one message can both get here (a redelivery decided while the first delivery was still
    // appending its PairingThrottled): the message is counted once, by whichever delivery came first.
    if (this.registry.isCounted(msg.seq)) {
      msg.ack();
      return;
    }
    if (this.refresh(msg)) return;
    this.waiting.set(msg.seq, heldDelivery(msg));
    let state = this.coalescers.get(connection);
    if (!state) this.coalescers.set(connection, (state = emptyCoalescer()));
    const result = coalesce(state, denial, this.options);
    this.coalescers.set(connection, result.state);
    if (result.emit) this.append(connection, result.emit);
    if (this.held >= this.maxHeld) this.relieve();
    this.updateGauge();
  }

  /**
   * Under a flood of distinct strangers the held deliveries would reach the consumer's max-ack-pending and JetStream
   * would stop delivering: every message, the admin's own pairing included, would wait for the window to end.
   * Flushing early costs a few more events (still bounded: at most one per key per flush) and keeps traffic flowing.
   * The windows stay open, so a key's next denial is held again rather than appended at once. Only what is held
   * counts: deliveries already in a commit are acked as soon as it is stored, and flushing again would only split
   * the next windows. Called when this replica holds DENIAL_MAX_HELD, and by the consumer when the server stopped
   * delivering at max-ack-pending before that (replicas share the limit).
   */
  relieve(): void {
    this.metrics.pressureFlushes.inc();
    for (const [connection, state] of this.coalescers) {
      const result = flushHeld(state);
      this.coalescers.set(connection, result.state);
      for (const emit of result.emits) this.append(connection, emit);
    }
  }

  /** Shutdown: every held denial goes out now. */
  private flushEverything(): void {
    for (const [connection, state] of this.coalescers) {
      const result = flushAll(state);
      this.coalescers.set(connection, result.state);
      for (const emit of result.emits) this.append(connection, emit);
    }
  }

  flushDue(now: Date): void {
    for (const [connection, state] of this.coalescers) {
      if (state.windows.size === 0) continue;
      const result = flushDue(state, now);
      this.coalescers.set(connection, result.state);
      for (const emit of result.emits) this.append(connection, emit);
    }
    this.updateGauge();
  }

  /** Shutdown: append everything held, whatever the windows, and wait for every append. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.flushEverything();
    while (this.appends.size > 0) await Promise.allSettled([...this.appends]);
    this.updateGauge();
  }

  /**
   * Group commit: MessageDenied events of one connection wait while that connection's previous commit is in
   * flight and then go out together, one JetStream message for many events. A flood of first denials from
   * thousands of strangers would otherwise cost one round trip each.
   */
  private append(connection: string, data: MessageDeniedData): void {
    let group = this.groups.get(connection);
    if (!group) this.groups.set(connection, (group = { running: false, queued: [] }));
    group.queued.push(data);
    this.appending += data.inboundSequences?.length ?? 0;
    if (!group.running) {
      group.running = true;
      const p: Promise<void> = this.drain(connection, group).finally(() => this.appends.delete(p));
      this.appends.add(p);
    }
  }

  private async drain(connection: string, group: GroupCommit): Promise<void> {
    // Let the rest of the pulled batch add its denials to the first commit.
    await new Promise((resolve) => setImmediate(resolve));
    while (group.queued.length > 0) {
      const take = commitSize(group.queued);
      const items = group.queued.splice(0, take);
      await this.appendNow(connection, items);
    }
    group.running = false;
  }

  /** Appends one commit; never throws: on failure the messages it covered are nak'ed and decided again. */
  private async appendNow(connection: string, items: MessageDeniedData[]): Promise<void> {
    const sequences = items.flatMap((d) => d.inboundSequences ?? []);
    const count = items.reduce((n, d) => n + d.count, 0);
    const span = sequences.length ? `${sequences[0]}-${sequences[sequences.length - 1]}` : items[0].firstSeenAt;
    const id = `denied:${connection}:${span}:${count}:${items.length}`;
    const timer = this.metrics.appendSeconds.startTimer({ stream_kind: 'activity' });
    try {
      const result = await this.store.append(activityStream(connection), items.map((data) => ({ type: 'MessageDenied' as const, data })), {
        expectedVersion: 'any',
        correlationId: id,
        causationId: id,
        // A commit may count several senders (each named in its event's data); the service decided the denials.
        actor: SYSTEM_INITIATOR,
        dedupeId: id,
        occurredAt: this.clock(),
      });
      timer();
      this.registry.applyCommit(result.events);
      this.settle(sequences, (m) => (typeof m === 'string' ? this.nc.publish(m, ACK) : m.ack()));
    } catch (e) {
      this.logger.error('could not append MessageDenied events; their messages will be redelivered and decided again', {
        connection,
        events: items.length,
        count,
        error: e,
      });
      this.settle(sequences, (m) => (typeof m === 'string' ? this.nc.publish(m, NAK) : m.nak(NAK_DELAY_MS)));
    }
  }

  private settle(sequences: readonly number[], how: (m: HeldDelivery) => void): void {
    this.appending -= sequences.length;
    for (const seq of sequences) {
      const m = this.waiting.take(seq);
      if (m !== undefined) how(m);
    }
    this.updateGauge();
  }

  private updateGauge(): void {
    this.metrics.heldDenials.set(this.waiting.size);
  }
}
