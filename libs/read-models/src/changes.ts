import type { EventType } from '@twokey/contracts';
import type { ActiveToken, AuthorizedSpace, AuthorizedUser, DenialGroup, PendingObservation } from './model';

/**
 * What a projected event changed, for live streams (SSE). Every change names its connection, the position of
 * the event that caused it and that event's type (`eventType`: `TokenObserved`, `UserApproved`, …), so a client
 * can follow either the read models or the domain events.
 */
export type ReadModelChange = { connection: string; position: number; eventType: EventType } & (
  | { type: 'token.issued'; token: ActiveToken }
  | { type: 'token.removed'; tokenId: string; reason: 'observed' | 'expired' | 'revoked' }
  | { type: 'observation.added'; observation: PendingObservation }
  | { type: 'observation.removed'; observationId: string; reason: 'approved' | 'rejected' | 'expired' }
  | { type: 'user.approved'; user: AuthorizedUser }
  | { type: 'user.removed'; userId: string }
  | { type: 'space.approved'; space: AuthorizedSpace }
  | { type: 'space.removed'; spaceId: string }
  /** A denial group was created or its count changed. */
  | { type: 'attention.changed'; group: DenialGroup }
  /** Bounded retention dropped the oldest group. */
  | { type: 'attention.evicted'; key: string }
);

export type ReadModelChangeType = ReadModelChange['type'];

export type ChangeSink = (change: ReadModelChange) => void;
