import type { StoredEvent } from '@twokey/contracts';
import { initialReadModels } from './model';
import { project } from './project';
import { readModelCounts } from './queries';

/** A realistic mix, decoded from JSON like events read from the store: mostly denials, some pairing churn. */
function syntheticLog(n: number): StoredEvent[] {
  const t0 = Date.parse('2026-11-24T10:00:00.000Z');
  const lines: string[] = [];
  const envelope = (i: number, type: string, stream: string, data: object) =>
    JSON.stringify({
      eventId: `0190f000-0000-7000-8000-${String(i).padStart(12, '0')}`, type, schemaVersion: 1, stream, streamVersion: i + 1,
      position: i + 1, occurredAt: new Date(t0 + i * 250).toISOString(), correlationId: 'c', causationId: 'c',
      actor: { type: 'admin', id: 'ada' }, data,
    });
  for (let i = 0; i < n; i++) {
    const a = String(i % 5000);
    const at = new Date(t0 + i * 250).toISOString();
    const actor = { id: a, displayName: 'x' };
    if (i % 30 === 0) lines.push(envelope(i, 'PairingTokenIssued', 'access-telegram', { tokenId: `t${i}`, purpose: 'user', codeHmac: 'b'.repeat(64), expiresAt: at }));
    else if (i % 30 === 1) lines.push(envelope(i, 'TokenObserved', 'access-telegram', { tokenId: `t${i - 1}`, observationId: `o${i}`, purpose: 'user', actor, conversation: { id: a, kind: 'dm' }, platformMessageId: `m${i}`, expiresAt: at }));
    else if (i % 30 === 2) lines.push(envelope(i, 'UserApproved', 'access-telegram', { user: actor, how: 'pairing', observationId: `o${i - 1}` }));
    else lines.push(envelope(i, 'MessageDenied', 'activity-telegram', { reason: 'user-not-allowlisted', actor, conversation: { id: a, kind: 'dm' }, count: 1, firstSeenAt: at, lastSeenAt: at }));
  }
  return JSON.parse(`[${lines.join(',')}]`) as StoredEvent[];
}

describe('projection throughput', () => {
  it('projects faster than the 150k events/s replay budget, with room to spare', () => {
    const log = syntheticLog(100_000);
    const m = initialReadModels();
    // CPU time, not wall time: other test workers share the cores.
    const started = process.cpuUsage();
    for (const e of log) project(m, e);
    const used = process.cpuUsage(started);
    const rate = log.length / ((used.user + used.system) / 1e6);
    expect(readModelCounts(m)).toMatchObject({ events: 100_000, users: 500 });
    // The replay budget is 150k events/s end to end; the projector alone must stay well above it (it measures
    // 400k-800k/s on a quiet machine), leaving the rest to decoding and I/O.
    expect(rate).toBeGreaterThan(200_000);
  });
});
