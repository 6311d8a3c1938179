import { decodeCursor, encodeCursor, indexAfter, compareGroups, sortedGroups } from './attention';
import {
  ActiveToken,
  AuthorizedSpace,
  AuthorizedUser,
  ConnectionState,
  DenialGroup,
  PendingObservation,
  ReadModels,
  newConnectionState,
} from './model';

/**
 * Reader-side views. They return fresh arrays of the projector's immutable records (or small view objects), in a
 * deterministic order, so the REST API and the audit replay produce byte-identical JSON for equal state.
 */

const EMPTY = newConnectionState('');
const stateOf = (m: ReadModels, connection: string): ConnectionState => m.connections.get(connection) ?? EMPTY;

const byNewest = (a: { approvedAt: string; id: string }, b: { approvedAt: string; id: string }) =>
  a.approvedAt === b.approvedAt ? (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) : a.approvedAt < b.approvedAt ? 1 : -1;

/** Connections that appear in the event log, sorted. */
export function connectionsSeen(m: ReadModels): string[] {
  return [...m.connections.keys()].sort();
}

export interface ConnectionCounts {
  users: number;
  spaces: number;
  activeTokens: number;
  pendingObservations: number;
  attentionGroups: number;
  deniedMessages: number;
  throttles: number;
  events: number;
}

export interface ConnectionSummary {
  id: string;
  seen: boolean;
  counts: ConnectionCounts;
  lastPosition: number;
  lastEventAt?: string;
}

export function connectionSummary(m: ReadModels, connection: string): ConnectionSummary {
  const c = m.connections.get(connection);
  const s = c ?? EMPTY;
  return {
    id: connection,
    seen: c !== undefined,
    counts: {
      users: s.users.size,
      spaces: s.spaces.size,
      activeTokens: s.tokens.size,
      pendingObservations: s.observations.size,
      attentionGroups: s.attention.size,
      deniedMessages: s.deniedMessages,
      throttles: s.throttles,
      events: s.events,
    },
    lastPosition: s.lastPosition,
    ...(s.lastEventAt !== undefined ? { lastEventAt: s.lastEventAt } : {}),
  };
}

/** Authorized User IDs, newest approval first. */
export function listUsers(m: ReadModels, connection: string): AuthorizedUser[] {
  return [...stateOf(m, connection).users.values()].sort(byNewest);
}

/** The space allowlist, newest approval first. */
export function listSpaces(m: ReadModels, connection: string): AuthorizedSpace[] {
  return [...stateOf(m, connection).spaces.values()].sort(byNewest);
}

export function isUserAllowlisted(m: ReadModels, connection: string, userId: string): boolean {
  return stateOf(m, connection).users.has(userId);
}

export interface PairingRow {
  /** Tokens that can still be observed, soonest expiry first (no code: events never hold one). */
  tokens: ActiveToken[];
  /** Observations awaiting approval, newest first. */
  observations: PendingObservation[];
}

export function pairingRow(m: ReadModels, connection: string): PairingRow {
  const c = stateOf(m, connection);
  const tokens = [...c.tokens.values()].sort((a, b) =>
    a.expiresAt === b.expiresAt ? (a.tokenId < b.tokenId ? -1 : 1) : a.expiresAt < b.expiresAt ? -1 : 1,
  );
  const observations = [...c.observations.values()].sort((a, b) =>
    a.observedAt === b.observedAt
      ? a.observationId < b.observationId ? -1 : 1
      : a.observedAt < b.observedAt ? 1 : -1,
  );
  return { tokens, observations };
}

export function findObservation(m: ReadModels, connection: string, observationId: string): PendingObservation | undefined {
  return stateOf(m, connection).observations.get(observationId);
}

/** A denial group as shown in Activity → Attention. */
export interface AttentionItem {
  id: string;
  connection: string;
  actorId: string;
  displayName: string;
  username?: string;
  conversationId: string;
  conversationKind: DenialGroup['conversationKind'];
  threadId?: string;
  spaceId?: string;
  spaceKind?: DenialGroup['spaceKind'];
  spaceTitle?: string;
  reason: DenialGroup['reason'];
  count: number;
  firstSeen: string;
  lastSeen: string;
}

export function attentionItem(g: DenialGroup): AttentionItem {
  const item: AttentionItem = {
    id: g.key,
    connection: g.connection,
    actorId: g.actorId,
    displayName: g.displayName,
    conversationId: g.conversationId,
    conversationKind: g.conversationKind,
    reason: g.reason,
    count: g.count,
    firstSeen: g.firstSeen,
    lastSeen: g.lastSeen,
  };
  if (g.username !== undefined) item.username = g.username;
  if (g.threadId !== undefined) item.threadId = g.threadId;
  if (g.spaceId !== undefined) item.spaceId = g.spaceId;
  if (g.spaceKind !== undefined) item.spaceKind = g.spaceKind;
  if (g.spaceTitle !== undefined) item.spaceTitle = g.spaceTitle;
  return item;
}

export interface AttentionQuery {
  /** One connection, or every connection when omitted. */
  connection?: string;
  /** From a previous page's `nextCursor`; throws InvalidCursor when malformed. */
  cursor?: string;
  limit: number;
}

export interface AttentionPage {
  items: AttentionItem[];
  /** null on the last page. */
  nextCursor: string | null;
}

function mergedGroups(m: ReadModels, connection: string | undefined): readonly DenialGroup[] {
  if (connection !== undefined) return sortedGroups(stateOf(m, connection));
  const lists = [...m.connections.values()].map(sortedGroups).filter((l) => l.length > 0);
  if (lists.length === 1) return lists[0];
  return lists.flat().sort(compareGroups);
}

/**
 * Newest first, cursor-paged. The cursor is the sort key of the last item, so pages stay consistent while new
 * denials arrive (they land before the cursor, not on the next page twice).
 */
export function attentionPage(m: ReadModels, q: AttentionQuery): AttentionPage {
  const sorted = mergedGroups(m, q.connection);
  const start = q.cursor ? indexAfter(sorted, decodeCursor(q.cursor)) : 0;
  const page = sorted.slice(start, start + q.limit);
  const more = start + page.length < sorted.length;
  return {
    items: page.map(attentionItem),
    nextCursor: more && page.length > 0 ? encodeCursor(page[page.length - 1]) : null,
  };
}

/** Totals per read model, for the replay summary and metrics. */
export interface ReadModelCounts {
  position: number;
  events: number;
  connections: number;
  users: number;
  spaces: number;
  activeTokens: number;
  pendingObservations: number;
  attentionGroups: number;
  deniedMessages: number;
}

export function readModelCounts(m: ReadModels): ReadModelCounts {
  const counts: ReadModelCounts = {
    position: m.position,
    events: m.events,
    connections: m.connections.size,
    users: 0,
    spaces: 0,
    activeTokens: 0,
    pendingObservations: 0,
    attentionGroups: 0,
    deniedMessages: 0,
  };
  for (const c of m.connections.values()) {
    counts.users += c.users.size;
    counts.spaces += c.spaces.size;
    counts.activeTokens += c.tokens.size;
    counts.pendingObservations += c.observations.size;
    counts.attentionGroups += c.attention.size;
    counts.deniedMessages += c.deniedMessages;
  }
  return counts;
}
