import { accessStream, activityStream, DomainEvent } from '@twokey/contracts';
import type { EventStore } from '@twokey/event-store';

const HMAC = 'd'.repeat(64);

/**
 * Writes a realistic log of `total` events straight into the event store, in large commits: per connection a
 * stream of pairings, approvals, removals and expiries, and a much larger activity stream of denials from many
 * strangers (so Attention hits its retention bound).
 */
export async function writeSyntheticLog(store: EventStore, total: number, connections = ['telegram', 'slack', 'discord'], perCommit = 500): Promise<void> {
  const base = Date.now() - 3_600_000;
  let written = 0;
  let n = 0;
  const iso = (offsetMs: number) => new Date(base + offsetMs).toISOString();
  while (written < total) {
    for (const connection of connections) {
      if (written >= total) break;
      const access: DomainEvent[] = [];
      const activity: DomainEvent[] = [];
      while (access.length + activity.length < perCommit && written + access.length + activity.length < total) {
        n++;
        const actor = { id: `u${n % 20_000}`, displayName: `User ${n % 20_000}` };
        if (n % 25 === 0) {
          const tokenId = `t${n}`;
          const observationId = `o${n}`;
          access.push({ type: 'PairingTokenIssued', data: { tokenId, purpose: 'user', codeHmac: HMAC, expiresAt: iso(n + 300_000) } });
          access.push({ type: 'TokenObserved', data: { tokenId, observationId, purpose: 'user', actor, conversation: { id: actor.id, kind: 'dm' }, platformMessageId: `p${n}`, expiresAt: iso(n + 1_800_000) } });
          if (n % 3 === 0) access.push({ type: 'ObservationRejected', data: { observationId, tokenId } });
          else access.push({ type: 'UserApproved', data: { user: actor, how: 'pairing', observationId } });
        } else if (n % 97 === 0) {
          access.push({ type: 'UserRemoved', data: { userId: `u${(n - 25) % 20_000}` } });
        } else if (n % 211 === 0) {
          access.push({ type: 'SpaceApproved', data: { space: { id: `S${n % 50}`, kind: 'slack-workspace', title: `Space ${n % 50}` }, how: 'manual' } });
        } else if (n % 331 === 0) {
          access.push({ type: 'PairingTokenIssued', data: { tokenId: `e${n}`, purpose: 'space', codeHmac: HMAC, expiresAt: iso(n) } });
          access.push({ type: 'TokenExpired', data: { tokenId: `e${n}` } });
        } else {
          const at = iso(n * 10);
          activity.push({
            type: 'MessageDenied',
            data: { reason: n % 7 === 0 ? 'pairing-code-invalid' : 'user-not-allowlisted', actor, conversation: { id: actor.id, kind: 'dm' }, count: 1 + (n % 3), firstSeenAt: at, lastSeenAt: at },
          });
        }
      }
      const meta = { expectedVersion: 'any' as const, correlationId: `synthetic-${n}`, causationId: `synthetic-${n}` };
      if (access.length) await store.append(accessStream(connection), access, { ...meta, actor: { type: 'admin', id: 'ada-admin' } });
      if (activity.length) await store.append(activityStream(connection), activity, { ...meta, actor: { type: 'system', id: 'pairing-service' } });
      written += access.length + activity.length;
    }
  }
}
