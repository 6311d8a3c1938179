import type { EventType, StoredEvent } from '@twokey/contracts';
import { connectionOfStream } from '@twokey/read-models';

/**
 * The events that record a decision about someone's access: a code seen and its outcome, approvals and removals,
 * denials and throttles. Token lifecycle events (issued, expired, revoked) decide nothing about anyone.
 */
export const DECISION_TYPES: ReadonlySet<EventType> = new Set<EventType>([
  'TokenObserved',
  'ObservationRejected',
  'ObservationExpired',
  'UserApproved',
  'UserRemoved',
  'SpaceApproved',
  'SpaceRemoved',
  'MessageDenied',
  'PairingThrottled',
]);

/**
 * Decisions the projection applied, per connection and event type. A MessageDenied counts the messages it stands
 * for (its `count`), so the figure is denied messages, not coalesced events. Plain counting in maps: the projection
 * calls this once per event (a replay of millions of events must stay cheap); the metric reads it on scrape.
 */
export class DecisionTally {
  private readonly byConnection = new Map<string, Map<EventType, number>>();
  /** Stream name → its connection's counts (null: no connection); few streams, many events. */
  private readonly byStream = new Map<string, Map<EventType, number> | null>();
  private position = 0;

  /** Takes one applied event. Like the projection, ignores events older than the position already seen. */
  observe(event: StoredEvent): void {
    if (event.position < this.position) return;
    this.position = event.position;
    if (!DECISION_TYPES.has(event.type)) return;
    let types = this.byStream.get(event.stream);
    if (types === undefined) this.byStream.set(event.stream, (types = this.countsOf(event.stream)));
    if (types === null) return;
    const n = event.type === 'MessageDenied' ? event.data.count : 1;
    types.set(event.type, (types.get(event.type) ?? 0) + n);
  }

  private countsOf(stream: string): Map<EventType, number> | null {
    const connection = connectionOfStream(stream);
    if (connection === undefined) return null;
    let types = this.byConnection.get(connection);
    if (types === undefined) this.byConnection.set(connection, (types = new Map()));
    return types;
  }

  /** The totals as plain data, for the admin-api's snapshot (the counts go on from a restart, like the models). */
  image(): [string, [EventType, number][]][] {
    return [...this.byConnection].map(([connection, types]) => [connection, [...types]]);
  }

  /** Starts from an image instead of nothing (before any event); the next event is after `position`. */
  restore(image: [string, [EventType, number][]][], position: number): void {
    if (this.position !== 0 || this.byConnection.size > 0) throw new Error('the tally already holds counts');
    const restored = image.map(([connection, types]) => [String(connection), new Map(types)] as const);
    for (const [connection, types] of restored) this.byConnection.set(connection, types);
    this.position = position;
  }

  /** Running totals: connection → event type → decisions. */
  totals(): ReadonlyMap<string, ReadonlyMap<EventType, number>> {
    return this.byConnection;
  }
}
