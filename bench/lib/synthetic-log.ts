/**
 * A realistic event log for replay and rehydration: mostly coalesced denials from many strangers, with pairing
 * (token, observation, approval), throttles and allowlist changes mixed in, over three connections.
 *
 * Denials are committed the way the pairing-service's denial buffer commits them
 * (`apps/pairing-service/src/inbound/denial-buffer.ts`): MessageDenied events of one connection that become due
 * together share one commit (up to 500), caused by the system. Under a flood nearly every commit is full (the
 * flood bench measured ~490 events per commit); on a quiet day each denial is a commit of its own.
 * `denialsPerCommit` picks between the two: 500 is a log of floods, 1 the worst case for a reader.
 */
import { accessStream, activityStream, type DomainEvent, SYSTEM_INITIATOR } from '@twokey/contracts';
import { ADMIN, type EventLogWriter } from './event-log';

const CONNECTIONS = ['telegram', 'slack', 'discord'];
const STRANGERS = 50_000;
const CONVERSATIONS = 1_000;
const HMAC = 'c'.repeat(64);
/** The denial buffer's MAX_EVENTS_PER_COMMIT. */
export const SERVICE_DENIALS_PER_COMMIT = 500;

export interface SyntheticLogOptions {
  /** MessageDenied events per commit: 500 as the service writes a flood, 1 for the worst case. */
  denialsPerCommit: number;
  onProgress?: (written: number) => void;
}

export async function writeSyntheticLog(writer: EventLogWriter, total: number, options: SyntheticLogOptions): Promise<void> {
  const { denialsPerCommit, onProgress } = options;
  const t0 = Date.parse('2026-01-01T00:00:00.000Z');
  const pending = new Map<string, { events: DomainEvent[]; at: Date }>(CONNECTIONS.map((c) => [c, { events: [], at: new Date(t0) }]));
  const flushDenials = async (connection: string) => {
    const group = pending.get(connection)!;
    if (group.events.length === 0) return;
    const events = group.events;
    group.events = [];
    await writer.commit(activityStream(connection), events, SYSTEM_INITIATOR, group.at);
  };
  let inboundSeq = 1;
  let queued = 0;
  let lastProgress = 0;
  for (let i = 0; writer.written + queued < total; i++) {
    const connection = CONNECTIONS[i % CONNECTIONS.length];
    const at = new Date(t0 + i * 50);
    const iso = at.toISOString();
    const stranger = `s${(i * 7919) % STRANGERS}`;
    const conversation = `-100${(i * 31) % CONVERSATIONS}`;
    const actor = { id: stranger, displayName: `Stranger ${stranger}` };
    if (i % 1000 === 0) {
      // A pairing: token, observation, approval (three commits on the access stream, as the service writes them).
      const tokenId = `tok-${i}`;
      const observationId = `obs-${i}`;
      const user = { id: `u${i}`, displayName: `User ${i}` };
      const commits: DomainEvent[] = [
        { type: 'PairingTokenIssued', data: { tokenId, purpose: 'user', codeHmac: HMAC, expiresAt: new Date(at.getTime() + 300_000).toISOString() } },
        { type: 'TokenObserved', data: { tokenId, observationId, purpose: 'user', actor: user, conversation: { id: user.id, kind: 'dm' }, platformMessageId: `pm-${i}`, expiresAt: new Date(at.getTime() + 1_800_000).toISOString() } },
        { type: 'UserApproved', data: { user, how: 'pairing', observationId } },
      ];
      for (const e of commits) await writer.commit(accessStream(connection), [e], ADMIN, at);
    } else if (i % 500 === 250) {
      await writer.commit(activityStream(connection), [
        { type: 'PairingThrottled', data: { actorId: stranger, conversationId: conversation, scope: 'actor', attempts: 6, until: new Date(at.getTime() + 900_000).toISOString() } },
      ], { type: 'platform-user', id: stranger }, at);
    } else {
      const count = 1 + (i % 5);
      const inboundSequences = Array.from({ length: count }, () => inboundSeq++);
      const group = pending.get(connection)!;
      if (group.events.length === 0) group.at = at;
      group.events.push({
        type: 'MessageDenied',
        data: {
          reason: i % 3 === 0 ? 'space-not-allowlisted' : 'user-not-allowlisted',
          actor,
          conversation: { id: conversation, kind: 'supergroup', title: `Group ${conversation}` },
          space: { id: conversation, kind: 'telegram-supergroup', title: `Group ${conversation}` },
          count,
          firstSeenAt: iso,
          lastSeenAt: iso,
          inboundSequences,
        },
      });
      queued++;
      if (group.events.length >= denialsPerCommit) {
        queued -= group.events.length;
        await flushDenials(connection);
      }
    }
    if (onProgress && writer.written - lastProgress >= 50_000) onProgress((lastProgress = writer.written));
  }
  for (const connection of CONNECTIONS) await flushDenials(connection);
  await writer.flush();
}
