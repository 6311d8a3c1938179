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

/**
 * `'any'` skips the caller's concurrency check (append-only streams such as `activity-<connection>`); stream
 * versions stay dense all the same.
 */
export type ExpectedRevision = StreamRevision | 'any';

export interface AppendOptions {
  expectedVersion: ExpectedRevision;
  correlationId: string;
  causationId: string;
  actor: Initiator;
  /** Defaults to now; injected so tests and replays are deterministic. */
  occurredAt?: Date;
  /**
   * JetStream de-duplication id for the commit (Nats-Msg-Id), so a retried append is stored once: the retry is
   * answered with the commit stored the first time (its events and revision), whatever `expectedVersion` says. Holds
   * within the events stream's duplicate window (`duplicateWindowMs` of @twokey/messaging, 10 min by default).
   */
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
  /**
   * Fatal for the subscription (an event that cannot be decoded, or an error thrown by `onEvent`): it has stopped
   * and `caughtUp` rejects with the same error. Transport trouble (reconnects) is not reported: the subscription
   * resumes on its own.
   */
  onError?: (error: Error) => void;
}

export interface EventSubscription {
  /**
   * Resolves once every event that existed when subscribing has been delivered; rejects if the subscription fails
   * or is closed first.
   */
  readonly caughtUp: Promise<void>;
  /**
   * Position of the last delivered event. It moves a whole commit at a time, once every event of the commit was
   * handled, so resuming from it after a failure redelivers a partly handled commit instead of skipping its rest.
   */
  position(): number;
  close(): Promise<void>;
}

/** The event store port (§4). Adapters must pass `event-store.contract.ts`. */
export interface EventStore {
  append(stream: string, events: DomainEvent[], options: AppendOptions): Promise<AppendResult>;
  readStream(stream: string): Promise<ReadStreamResult>;
  /** Every event with position > afterPosition, in order. */
  readAll(afterPosition?: number): AsyncIterable<StoredEvent>;
  /**
   * The events of `readAll`, a non-empty batch of whole commits at a time (batches never split a commit), for folds
   * over the whole log such as replay and rehydration: one await per batch instead of one per event. A commit that
   * cannot be decoded ends the read like in `readAll`, after the events before it were yielded.
   */
  readAllBatches(afterPosition?: number): AsyncIterable<readonly StoredEvent[]>;
  /** Catch-up then live, without gap or duplicate. */
  subscribe(options: SubscribeOptions): EventSubscription;
  /** Global position of the newest commit (0 when empty). */
  headPosition(): Promise<number>;
}
