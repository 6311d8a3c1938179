import type { EventDataOf } from '@twokey/contracts';
import type { ReadModelChange } from './changes';
import { isoMs } from './iso-ms';
import type { ConnectionState, DenialGroup } from './model';

type AttentionChange = Extract<ReadModelChange, { type: 'attention.changed' | 'attention.evicted' }>;
type Emit = (change: DistributiveOmit<AttentionChange, 'connection' | 'position' | 'eventType'>) => void;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * Group identity within a connection: reason, actor, conversation and thread (display names never key). Ids are
 * length-prefixed, so the key is printable and unambiguous whatever characters the platform ids contain.
 */
export function denialGroupKey(actorId: string, conversationId: string, threadId: string | undefined, reason: string) {
  return `${reason}:${actorId.length}:${actorId}:${conversationId.length}:${conversationId}:${threadId ?? ''}`;
}

/** One live key iterator per connection's Attention map, kept between evictions (see `oldestKey`). */
const evictors = new WeakMap<ConnectionState, Iterator<string>>();

/**
 * The least recently updated key. A fresh `keys()` iterator steps over every slot deleted since the map's last
 * rehash, and each update (delete + set) leaves one, so `keys().next()` costs O(map size) per eviction: measured
 * at ~20 µs per event when replaying a flood (bench 4, bench/README.md). A Map iterator stays valid while the map
 * changes (deleted entries are skipped, re-inserted ones come again at the end), so one kept iterator walks the
 * map once per full turn instead.
 */
function oldestKey(c: ConnectionState): string {
  let it = evictors.get(c);
  let next = it?.next();
  if (it === undefined || next === undefined || next.done) {
    it = c.attention.keys();
    evictors.set(c, it);
    next = it.next();
  }
  return next.value as string;
}

/**
 * Counts one MessageDenied into its group. The map's insertion order is kept as "least recently updated first"
 * (delete + set), so bounded retention evicts the first key (amortized O(1), see `oldestKey`).
 */
export function recordDenial(
  c: ConnectionState,
  d: EventDataOf<'MessageDenied'>,
  maxGroups: number,
  emit: Emit | undefined,
): void {
  const key = denialGroupKey(d.actor.id, d.conversation.id, d.conversation.threadId, d.reason);
  const previous = c.attention.get(key);
  const lastSeenMs = isoMs(d.lastSeenAt);
  let group: DenialGroup;
  if (previous === undefined) {
    group = {
      key,
      connection: c.id,
      actorId: d.actor.id,
      displayName: d.actor.displayName,
      username: d.actor.username,
      conversationId: d.conversation.id,
      conversationKind: d.conversation.kind,
      threadId: d.conversation.threadId,
      spaceId: d.space?.id,
      spaceKind: d.space?.kind,
      spaceTitle: d.space?.title,
      reason: d.reason,
      count: d.count,
      firstSeen: d.firstSeenAt,
      lastSeen: d.lastSeenAt,
      firstSeenMs: isoMs(d.firstSeenAt),
      lastSeenMs,
    };
  } else {
    // Written out field by field (not a spread): every group keeps one hidden class, which keeps replay fast.
    const newer = lastSeenMs >= previous.lastSeenMs;
    const firstSeenMs = isoMs(d.firstSeenAt);
    const earlier = firstSeenMs < previous.firstSeenMs;
    group = {
      key,
      connection: previous.connection,
      actorId: previous.actorId,
      displayName: newer ? d.actor.displayName : previous.displayName,
      username: newer ? d.actor.username : previous.username,
      conversationId: previous.conversationId,
      conversationKind: previous.conversationKind,
      threadId: previous.threadId,
      spaceId: previous.spaceId ?? d.space?.id,
      spaceKind: previous.spaceKind ?? d.space?.kind,
      spaceTitle: (newer ? d.space?.title : undefined) ?? previous.spaceTitle ?? d.space?.title,
      reason: previous.reason,
      count: previous.count + d.count,
      firstSeen: earlier ? d.firstSeenAt : previous.firstSeen,
      lastSeen: newer ? d.lastSeenAt : previous.lastSeen,
      firstSeenMs: earlier ? firstSeenMs : previous.firstSeenMs,
      lastSeenMs: newer ? lastSeenMs : previous.lastSeenMs,
    };
    c.attention.delete(key);
  }
  c.attention.set(key, group);
  c.deniedMessages += d.count;
  c.attentionVersion++;
  if (emit !== undefined) emit({ type: 'attention.changed', group });
  while (c.attention.size > maxGroups) {
    const oldest = oldestKey(c);
    c.attention.delete(oldest);
    c.evictedGroups++;
    if (emit !== undefined) emit({ type: 'attention.evicted', key: oldest });
  }
}

/** Newest first: lastSeen descending, then connection and key ascending, so the order is total and stable. */
export function compareGroups(a: DenialGroup, b: DenialGroup): number {
  if (a.lastSeenMs !== b.lastSeenMs) return b.lastSeenMs - a.lastSeenMs;
  if (a.connection !== b.connection) return a.connection < b.connection ? -1 : 1;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

const sortedCache = new WeakMap<ConnectionState, { version: number; groups: readonly DenialGroup[] }>();

/** The connection's groups newest first; cached until the next attention change. */
export function sortedGroups(c: ConnectionState): readonly DenialGroup[] {
  const cached = sortedCache.get(c);
  if (cached && cached.version === c.attentionVersion) return cached.groups;
  const groups = Object.freeze([...c.attention.values()].sort(compareGroups));
  sortedCache.set(c, { version: c.attentionVersion, groups });
  return groups;
}

/** Where a page ends: the sort key of its last group. Opaque to clients (base64url JSON). */
export interface AttentionCursor {
  lastSeenMs: number;
  connection: string;
  key: string;
}

export class InvalidCursor extends Error {
  override readonly name = 'InvalidCursor';
  constructor() {
    super('cursor is not one this API returned');
  }
}

export function encodeCursor(g: Pick<DenialGroup, 'lastSeenMs' | 'connection' | 'key'>): string {
  return Buffer.from(JSON.stringify([g.lastSeenMs, g.connection, g.key]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): AttentionCursor {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 3 && Number.isFinite(v[0]) && typeof v[1] === 'string' && typeof v[2] === 'string') {
      return { lastSeenMs: v[0], connection: v[1], key: v[2] };
    }
  } catch {
    // fall through: any malformed cursor is the same client error
  }
  throw new InvalidCursor();
}

/** Index of the first group strictly after the cursor in `sorted` (binary search; the list is sorted). */
export function indexAfter(sorted: readonly DenialGroup[], cursor: AttentionCursor): number {
  const probe = { lastSeenMs: cursor.lastSeenMs, connection: cursor.connection, key: cursor.key } as DenialGroup;
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareGroups(sorted[mid], probe) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
