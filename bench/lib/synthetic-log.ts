/**
 * A realistic event log for replay and rehydration: mostly coalesced denials from many strangers, with pairing
 * (token, observation, approval), throttles and allowlist changes mixed in, over three connections.
 */
import { accessStream, activityStream, type DomainEvent } from '@twokey/contracts';
import { ADMIN, type EventLogWriter } from './event-log';

const CONNECTIONS = ['telegram', 'slack', 'discord'];
const STRANGERS = 50_000;
const CONVERSATIONS = 1_000;
const HMAC = 'c'.repeat(64);

export async function writeSyntheticLog(writer: EventLogWriter, total: number, onProgress?: (written: number) => void): Promise<void> {
  const t0 = Date.parse('2026-01-01T00:00:00.000Z');
  let inboundSeq = 1;
  for (let i = 0; writer.written < total; i++) {
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
      await writer.commit(activityStream(connection), [
        {
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
        },
      ], { type: 'platform-user', id: stranger, name: actor.displayName }, at);
    }
    if (onProgress && i % 50_000 === 0) onProgress(writer.written);
  }
  await writer.flush();
}
