import type { StoredEvent } from '@twokey/contracts';
import type { ChangeSink } from './changes';
import { recordDenial } from './attention';
import { ConnectionState, ReadModels, newConnectionState } from './model';

const ACCESS = 'access-';
const ACTIVITY = 'activity-';

/** `access-<connection>` / `activity-<connection>` → connection id; other streams belong to no connection. */
export function connectionOfStream(stream: string): string | undefined {
  if (stream.startsWith(ACCESS)) return stream.slice(ACCESS.length);
  if (stream.startsWith(ACTIVITY)) return stream.slice(ACTIVITY.length);
  return undefined;
}

/** Stream name → its connection's state; a replay sees few streams many times, so the lookup is cached. */
const streamCache = new WeakMap<ReadModels, Map<string, ConnectionState | null>>();

function stateOfStream(models: ReadModels, stream: string): ConnectionState | undefined {
  let cache = streamCache.get(models);
  if (cache === undefined) streamCache.set(models, (cache = new Map()));
  const hit = cache.get(stream);
  if (hit !== undefined) return hit ?? undefined;
  const id = connectionOfStream(stream);
  let c: ConnectionState | undefined;
  if (id !== undefined) {
    c = models.connections.get(id);
    if (c === undefined) models.connections.set(id, (c = newConnectionState(id)));
  }
  cache.set(stream, c ?? null);
  return c;
}

/**
 * Applies one stored event to every read model, in place (a replay of millions of events must not copy state per
 * event). Records are replaced, never mutated, so snapshots handed to readers stay valid. Events older than the
 * current position are ignored (a redelivery); events of one commit share a position and are all applied.
 * `emit` receives what changed, for the live stream.
 */
export function project(models: ReadModels, event: StoredEvent, emit?: ChangeSink): void {
  if (event.position < models.position) return;
  models.position = event.position;
  models.events++;
  const c = stateOfStream(models, event.stream);
  if (c === undefined) return;
  const id = c.id;
  c.events++;
  c.lastPosition = event.position;
  c.lastEventAt = event.occurredAt;
  // Change objects are only built when someone listens (`emit?.(…)` skips its arguments): replays stay lean.
  const at = () => ({ connection: id, position: event.position, eventType: event.type });

  switch (event.type) {
    case 'PairingTokenIssued': {
      const token = {
        tokenId: event.data.tokenId,
        purpose: event.data.purpose,
        expiresAt: event.data.expiresAt,
        issuedAt: event.occurredAt,
        issuedBy: event.actor.id,
      };
      c.tokens.set(token.tokenId, token);
      emit?.({ ...at(), type: 'token.issued', token });
      return;
    }
    case 'TokenObserved': {
      const d = event.data;
      if (c.tokens.delete(d.tokenId)) emit?.({ ...at(), type: 'token.removed', tokenId: d.tokenId, reason: 'observed' });
      const observation = {
        observationId: d.observationId,
        tokenId: d.tokenId,
        purpose: d.purpose,
        actor: d.actor,
        conversation: d.conversation,
        ...(d.space ? { space: d.space } : {}),
        observedAt: event.occurredAt,
        expiresAt: d.expiresAt,
      };
      c.observations.set(d.observationId, observation);
      emit?.({ ...at(), type: 'observation.added', observation });
      return;
    }
    case 'ObservationRejected':
      if (c.observations.delete(event.data.observationId)) {
        emit?.({ ...at(), type: 'observation.removed', observationId: event.data.observationId, reason: 'rejected' });
      }
      return;
    case 'ObservationExpired':
      if (c.observations.delete(event.data.observationId)) {
        emit?.({ ...at(), type: 'observation.removed', observationId: event.data.observationId, reason: 'expired' });
      }
      return;
    case 'TokenExpired':
      if (c.tokens.delete(event.data.tokenId)) {
        emit?.({ ...at(), type: 'token.removed', tokenId: event.data.tokenId, reason: 'expired' });
      }
      return;
    case 'TokenRevoked':
      if (c.tokens.delete(event.data.tokenId)) {
        emit?.({ ...at(), type: 'token.removed', tokenId: event.data.tokenId, reason: 'revoked' });
      }
      return;
    case 'UserApproved': {
      const d = event.data;
      const user = {
        id: d.user.id,
        displayName: d.user.displayName,
        ...(d.user.username !== undefined ? { username: d.user.username } : {}),
        approvedAt: event.occurredAt,
        approvedBy: event.actor.id,
        how: d.how,
        ...(d.observationId !== undefined ? { observationId: d.observationId } : {}),
      };
      c.users.set(user.id, user);
      emit?.({ ...at(), type: 'user.approved', user });
      if (d.observationId !== undefined && c.observations.delete(d.observationId)) {
        emit?.({ ...at(), type: 'observation.removed', observationId: d.observationId, reason: 'approved' });
      }
      return;
    }
    case 'UserRemoved':
      if (c.users.delete(event.data.userId)) emit?.({ ...at(), type: 'user.removed', userId: event.data.userId });
      return;
    case 'SpaceApproved': {
      const d = event.data;
      const space = {
        id: d.space.id,
        kind: d.space.kind,
        ...(d.space.title !== undefined ? { title: d.space.title } : {}),
        ...(d.pairedBy ? { pairedBy: d.pairedBy } : {}),
        approvedAt: event.occurredAt,
        approvedBy: event.actor.id,
        how: d.how,
        ...(d.observationId !== undefined ? { observationId: d.observationId } : {}),
      };
      c.spaces.set(space.id, space);
      emit?.({ ...at(), type: 'space.approved', space });
      if (d.observationId !== undefined && c.observations.delete(d.observationId)) {
        emit?.({ ...at(), type: 'observation.removed', observationId: d.observationId, reason: 'approved' });
      }
      return;
    }
    case 'SpaceRemoved':
      if (c.spaces.delete(event.data.spaceId)) emit?.({ ...at(), type: 'space.removed', spaceId: event.data.spaceId });
      return;
    case 'MessageDenied':
      // No wrapper when nobody listens: a replay projects millions of denials.
      recordDenial(c, event.data, models.options.maxAttentionGroups, emit && ((change) => emit({ ...at(), ...change })));
      return;
    case 'PairingThrottled':
      c.throttles++;
      return;
    default: {
      // Exhaustive: a new event type is a compile error here until the read models decide what it means.
      const unknown: never = event;
      return unknown;
    }
  }
}

/** Projects a batch in order; convenient for tests and replays. */
export function projectAll(models: ReadModels, events: Iterable<StoredEvent>, emit?: ChangeSink): ReadModels {
  for (const e of events) project(models, e, emit);
  return models;
}
