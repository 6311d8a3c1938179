import type { DomainEvent, Initiator, StoredEvent } from '@twokey/contracts';

/**
 * Where a stream stands: `version` counts its events, `position` is the global position of its last commit
 * (0 for an empty stream). The JetStream adapter checks `position` with Nats-Expected-Last-Subject-Sequence.
 */
export interface StreamRevision {
  version: number;
  position: number;
}

export const NO_STREAM: StreamRevision = { version: 0, position: 0 };

/** `'any'` skips the concurrency check (append-only streams such as `activity-<connection>`). */
export type ExpectedRevision = StreamRevision | 'any';

export interface AppendOptions {
  expected: ExpectedRevision;
  correlationId: string;
  causationId: string;
  actor: Initiator;
  /** Defaults to now; injected so tests and replays are deterministic. */
  occurredAt?: Date;
  /** JetStream de-duplication id for the commit (Nats-Msg-Id), so a retried append is stored once. */
  dedupeId?: string;
}

export interface AppendResult {
  /** Global position of the commit. */
  position: number;
  revision: StreamRevision;
  events: StoredEvent[];
}

export interface ReadStreamResult {
  events: StoredEvent[];
  revision: StreamRevision;
}

export interface SubscribeOptions {
  /** Deliver events whose position is greater than this (0 = from the beginning). */
  afterPosition: number;
  /** Called in position order, one at a time; the next event waits for the returned promise. */
  onEvent: (event: StoredEvent) => void | Promise<void>;
  /** Fatal for the subscription (e.g. an event that cannot be decoded): the subscriber must stop. */
  onError?: (error: Error) => void;
}

export interface EventSubscription {
  /** Resolves once every event that existed when subscribing has been delivered. */
  readonly caughtUp: Promise<void>;
  /** Position of the last delivered event. */
  position(): number;
  close(): Promise<void>;
}

/** The event store port (§4). Adapters must pass `event-store.contract.ts`. */
export interface EventStore {
  append(stream: string, events: DomainEvent[], options: AppendOptions): Promise<AppendResult>;
  readStream(stream: string): Promise<ReadStreamResult>;
  /** Every event with position > afterPosition, in order. */
  readAll(afterPosition?: number): AsyncIterable<StoredEvent>;
  /** Catch-up then live, without gap or duplicate. */
  subscribe(options: SubscribeOptions): EventSubscription;
  /** Global position of the newest commit (0 when empty). */
  headPosition(): Promise<number>;
}
