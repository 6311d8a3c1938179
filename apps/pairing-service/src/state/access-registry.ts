import { Injectable } from '@nestjs/common';
import type { StoredEvent } from '@twokey/contracts';
import { NO_STREAM, type StreamRevision } from '@twokey/event-store';
import {
  decodeAccessState,
  encodeAccessState,
  evolveInPlace,
  initialState,
  streamKindOf,
  type AccessState,
  type EncodedAccessState,
} from '@twokey/pairing-domain';
import { SequenceSet } from './sequence-set';

export interface ConnectionEntry {
  state: AccessState;
  /** Revision of `access-<connection>` the state includes: the expected revision of the next access append. */
  access: StreamRevision;
}

/** Everything the registry folded, as plain data at one feed position: the body of a pairing-service snapshot. */
export interface RegistryImage {
  position: number;
  connections: { access: StreamRevision; state: EncodedAccessState }[];
  /** SequenceSet pages of the counted inbound sequences above `countedFloor`. */
  counted: [number, string][];
  /** The highest ack floor the counted set was pruned at: sequences at or below it are never redelivered. */
  countedFloor: number;
  observed: string[];
}

const STREAM_NAME = /^(access|activity)-(.+)$/;

/**
 * The in-memory state of every connection: AccessState folded from `access-<c>` and `activity-<c>`, plus the
 * TWOKEY_INBOUND sequences already counted in a MessageDenied (so a redelivery is not counted twice).
 *
 * Events arrive two ways: the store feed (readAll at start, then the live subscription, in position order; it
 * carries other replicas' events) and this replica's own commits, applied as soon as the append returns so the next
 * decision sees them. A commit is applied once whichever way comes first: own commits ahead of the feed are
 * remembered by position until the feed passes them.
 */
@Injectable()
export class AccessRegistry {
  private readonly entries = new Map<string, ConnectionEntry>();
  private counted = new SequenceSet();
  private countedFloor = 0;
  /**
   * `<connection> <platformMessageId>` of every message that observed a token. Observations are rare (each needs a
   * token an admin issued), so this is never pruned, unlike the observations in AccessState.
   */
  private readonly observedMessages = new Set<string>();
  private readonly ahead = new Set<number>();
  private readonly streams = new Map<string, { kind: string; connection: string }>();
  private feedPosition = 0;
  private reachWaiters: { position: number; wake: () => void }[] = [];

  /** The entry of `connection`, created empty (closed: nobody allowlisted) on first use. */
  entry(connection: string): ConnectionEntry {
    let entry = this.entries.get(connection);
    if (!entry) {
      entry = { state: initialState(connection), access: NO_STREAM };
      this.entries.set(connection, entry);
    }
    return entry;
  }

  connections(): string[] {
    return [...this.entries.keys()];
  }

  /** Position of the last event delivered by the feed. */
  get position(): number {
    return this.feedPosition;
  }

  /** Resolves true once the feed has delivered `position`, or false after `timeoutMs`. */
  reached(position: number, timeoutMs: number): Promise<boolean> {
    if (this.feedPosition >= position) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.reachWaiters = this.reachWaiters.filter((w) => w !== waiter);
        resolve(false);
      }, timeoutMs);
      const waiter = {
        position,
        wake: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
      this.reachWaiters.push(waiter);
    });
  }

  isCounted(inboundSequence: number): boolean {
    return this.counted.has(inboundSequence);
  }

  /** Sequences at or below the consumer's ack floor can never be redelivered: forget them. */
  forgetCountedUpTo(ackFloor: number): void {
    if (ackFloor > this.countedFloor) this.countedFloor = ackFloor;
    this.counted.deleteUpTo(ackFloor);
  }

  /**
   * The whole state as plain data, taken synchronously so it is one consistent cut at `position`: exactly the fold
   * of the log up to there. Undefined while a commit of this replica is applied ahead of the feed (the state then
   * holds an event past `position`); the snapshot cadence tries again at its next tick.
   */
  image(): RegistryImage | undefined {
    for (const p of this.ahead) if (p > this.feedPosition) return undefined;
    return {
      position: this.feedPosition,
      connections: [...this.entries.values()].map((e) => ({ access: e.access, state: encodeAccessState(e.state) })),
      counted: this.counted.toPages(),
      countedFloor: this.countedFloor,
      observed: [...this.observedMessages],
    };
  }

  /** Starts from an image instead of nothing (before any event): the feed then continues after its position. */
  restore(image: RegistryImage): void {
    if (this.feedPosition !== 0 || this.entries.size > 0) throw new Error('the registry already holds state');
    if (!Number.isSafeInteger(image.position) || !Array.isArray(image.connections)) throw new TypeError('not a registry image');
    const entries = image.connections.map((c) => ({ state: decodeAccessState(c.state), access: { version: c.access.version, position: c.access.position } }));
    const counted = SequenceSet.fromPages(image.counted);
    const observed = image.observed.map(String);
    // Everything is decoded before anything changes: an image that throws leaves the registry empty.
    for (const e of entries) this.entries.set(e.state.connection, e);
    this.counted = counted;
    this.countedFloor = Number(image.countedFloor) || 0;
    for (const m of observed) this.observedMessages.add(m);
    this.feedPosition = image.position;
  }

  /** True when a TokenObserved of `connection` came from this platform message (its redelivery must not match again). */
  wasObserved(connection: string, platformMessageId: string): boolean {
    return this.observedMessages.has(`${connection} ${platformMessageId}`);
  }

  /** From the store feed, in position order. */
  applyFromFeed(event: StoredEvent): void {
    if (!this.ahead.has(event.position)) this.applyEvent(event);
    if (event.position > this.feedPosition) {
      this.feedPosition = event.position;
      for (const p of this.ahead) if (p < event.position) this.ahead.delete(p);
      if (this.reachWaiters.length > 0) this.wakeReached();
    }
  }

  /** One commit (events sharing a position) this replica appended or read back, possibly before the feed has it. */
  applyCommit(events: readonly StoredEvent[]): void {
    const position = events[0]?.position;
    if (position === undefined || position <= this.feedPosition || this.ahead.has(position)) return;
    for (const event of events) this.applyEvent(event);
    this.ahead.add(position);
  }

  /** `access-<c>` / `activity-<c>` parsed once per stream name: rehydration sees a few streams 100,000s of times. */
  private streamOf(name: string): { kind: string; connection: string } | null {
    const known = this.streams.get(name);
    if (known !== undefined) return known;
    const match = STREAM_NAME.exec(name);
    if (!match) return null;
    // Only the streams of connections are remembered: two per connection.
    const stream = { kind: match[1], connection: match[2] };
    this.streams.set(name, stream);
    return stream;
  }

  private wakeReached(): void {
    const due = this.reachWaiters.filter((w) => w.position <= this.feedPosition);
    if (due.length === 0) return;
    this.reachWaiters = this.reachWaiters.filter((w) => w.position > this.feedPosition);
    for (const w of due) w.wake();
  }

  private applyEvent(event: StoredEvent): void {
    const stream = this.streamOf(event.stream);
    if (stream === null) return;
    const { kind, connection } = stream;
    if (streamKindOf(event.type) !== kind) return;
    const entry = this.entry(connection);
    if (kind === 'access') {
      if (event.streamVersion <= entry.access.version) return;
      entry.access = { version: event.streamVersion, position: event.position };
    }
    // The registry alone holds each connection's state (readers use it synchronously and keep no reference), so
    // the fold may update its maps in place: O(1) per event instead of copying the allowlist each time.
    entry.state = evolveInPlace(entry.state, event);
    if (event.type === 'MessageDenied') for (const seq of event.data.inboundSequences ?? []) this.counted.add(seq);
    else if (event.type === 'TokenObserved') this.observedMessages.add(`${connection} ${event.data.platformMessageId}`);
  }
}
