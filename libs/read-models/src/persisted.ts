/**
 * The read models as plain JSON data and back, for the admin-api's snapshots. Maps become entry lists in their
 * insertion order: Attention's order is its eviction order, so a restored model evicts what a full replay would.
 *
 * Bump READ_MODELS_CODEC_VERSION whenever ReadModels, this encoding or what `project` builds from an event
 * changes: a snapshot of another version (or taken with other options) is then ignored and the log replayed.
 */
import type { ActiveToken, AuthorizedSpace, AuthorizedUser, ConnectionState, DenialGroup, PendingObservation, ReadModelOptions, ReadModels } from './model';

export const READ_MODELS_CODEC_VERSION = 1;

/** The version of a snapshot of read models built with `options`: what they keep depends on them. */
export function readModelsVersion(options: ReadModelOptions): string {
  return `read-models ${READ_MODELS_CODEC_VERSION}, maxAttentionGroups ${options.maxAttentionGroups}`;
}

interface EncodedConnection {
  id: string;
  users: AuthorizedUser[];
  spaces: AuthorizedSpace[];
  tokens: ActiveToken[];
  observations: PendingObservation[];
  attention: DenialGroup[];
  deniedMessages: number;
  throttles: number;
  evictedGroups: number;
  events: number;
  lastPosition: number;
  lastEventAt?: string;
  attentionVersion: number;
}

export interface EncodedReadModels {
  position: number;
  events: number;
  connections: EncodedConnection[];
}

export function encodeReadModels(m: ReadModels): EncodedReadModels {
  return {
    position: m.position,
    events: m.events,
    connections: [...m.connections.values()].map((c) => ({
      id: c.id,
      users: [...c.users.values()],
      spaces: [...c.spaces.values()],
      tokens: [...c.tokens.values()],
      observations: [...c.observations.values()],
      attention: [...c.attention.values()],
      deniedMessages: c.deniedMessages,
      throttles: c.throttles,
      evictedGroups: c.evictedGroups,
      events: c.events,
      lastPosition: c.lastPosition,
      ...(c.lastEventAt !== undefined ? { lastEventAt: c.lastEventAt } : {}),
      attentionVersion: c.attentionVersion,
    })),
  };
}

/** Field by field, absent ones as `undefined`, like `recordDenial` builds them (one hidden class for all groups). */
function group(g: DenialGroup): DenialGroup {
  return {
    key: g.key,
    connection: g.connection,
    actorId: g.actorId,
    displayName: g.displayName,
    username: g.username,
    conversationId: g.conversationId,
    conversationKind: g.conversationKind,
    threadId: g.threadId,
    spaceId: g.spaceId,
    spaceKind: g.spaceKind,
    spaceTitle: g.spaceTitle,
    reason: g.reason,
    count: g.count,
    firstSeen: g.firstSeen,
    lastSeen: g.lastSeen,
    firstSeenMs: g.firstSeenMs,
    lastSeenMs: g.lastSeenMs,
  };
}

function connection(e: EncodedConnection): ConnectionState {
  if (typeof e.id !== 'string' || !Number.isSafeInteger(e.lastPosition)) throw new TypeError('not an encoded connection');
  return {
    id: e.id,
    users: new Map(e.users.map((u) => [u.id, u])),
    spaces: new Map(e.spaces.map((s) => [s.id, s])),
    tokens: new Map(e.tokens.map((t) => [t.tokenId, t])),
    observations: new Map(e.observations.map((o) => [o.observationId, o])),
    attention: new Map(e.attention.map((g) => [g.key, group(g)])),
    deniedMessages: e.deniedMessages,
    throttles: e.throttles,
    evictedGroups: e.evictedGroups,
    events: e.events,
    lastPosition: e.lastPosition,
    ...(e.lastEventAt !== undefined ? { lastEventAt: e.lastEventAt } : {}),
    attentionVersion: e.attentionVersion,
  };
}

/**
 * Makes `models` (fresh, nothing projected) equal to the encoded ones, in place: readers hold the object. Throws
 * (TypeError) on data that is not encoded read models, before changing anything.
 */
export function restoreReadModels(models: ReadModels, e: EncodedReadModels): void {
  if (models.position !== 0 || models.connections.size > 0) throw new Error('the read models already hold state');
  if (!Number.isSafeInteger(e.position) || !Number.isSafeInteger(e.events) || !Array.isArray(e.connections)) {
    throw new TypeError('not encoded read models');
  }
  const connections = e.connections.map(connection);
  for (const c of connections) models.connections.set(c.id, c);
  models.events = e.events;
  models.position = e.position;
}
