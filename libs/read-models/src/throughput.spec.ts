import type { StoredEvent } from '@twokey/contracts';
import { initialReadModels } from './model';
import { project } from './project';
import { readModelCounts } from './queries';
import { EventFixtures } from './testing';

/** A realistic mix: mostly denials from many strangers, some pairing and allowlist churn. */
function syntheticLog(n: number): StoredEvent[] {
  const f = new EventFixtures('telegram');
  const out: StoredEvent[] = [];
  for (let i = 0; out.length < n; i++) {
    f.tick(250);
    const a = String(i % 5000);
    if (i % 10 === 0) {
      out.push(f.stored({ type: 'PairingTokenIssued', data: { tokenId: `t${i}`, purpose: 'user', codeHmac: 'b'.repeat(64), expiresAt: f.inMinutes(5) } }));
      out.push(f.stored({ type: 'TokenObserved', data: { tokenId: `t${i}`, observationId: `o${i}`, purpose: 'user', actor: { id: a, displayName: 'x' }, conversation: { id: a, kind: 'dm' }, platformMessageId: `m${i}`, expiresAt: f.inMinutes(30) } }));
      out.push(f.stored({ type: 'UserApproved', data: { user: { id: a, displayName: 'x' }, how: 'pairing', observationId: `o${i}` } }));
    } else {
      out.push(f.stored({ type: 'MessageDenied', data: { reason: 'user-not-allowlisted', actor: { id: a, displayName: 'x' }, conversation: { id: a, kind: 'dm' }, count: 1, firstSeenAt: f.now(), lastSeenAt: f.now() } }));
    }
  }
  // Decoded from JSON like events read from the store (fresh objects with fast shapes).
  return JSON.parse(JSON.stringify(out.slice(0, n)));
}

describe('projection throughput', () => {
  it('projects well above 150k events/s (replay of 1M events must stay fast)', () => {
    const log = syntheticLog(150_000);
    const m = initialReadModels();
    // CPU time, not wall time: other test workers share the cores.
    const started = process.cpuUsage();
    for (const e of log) project(m, e);
    const used = process.cpuUsage(started);
    const rate = log.length / ((used.user + used.system) / 1e6);
    expect(readModelCounts(m)).toMatchObject({ events: 150_000, users: 500 });
    // The projector alone must leave most of the budget to decoding and I/O.
    expect(rate).toBeGreaterThan(300_000);
  });
});
