import type { StoredEvent } from '@twokey/contracts';
import { ReadModelChange } from './changes';
import { initialReadModels } from './model';
import { project, projectAll } from './project';
import { connectionSummary, listSpaces, listUsers, pairingRow, readModelCounts } from './queries';
import { EventFixtures, actor, dm } from './testing';

const HMAC = 'a'.repeat(64);
const alice = { type: 'platform-user' as const, id: '42', name: 'Alice' };

describe('project: pairing and allowlists', () => {
  it('shows an issued token without any code, then the observation that consumed it', () => {
    const f = new EventFixtures();
    const m = initialReadModels();
    const changes: ReadModelChange[] = [];
    projectAll(
      m,
      [
        f.stored({ type: 'PairingTokenIssued', data: { tokenId: 't1', purpose: 'user', codeHmac: HMAC, expiresAt: f.inMinutes(5) } }),
        f.tick(1000).stored(
          {
            type: 'TokenObserved',
            data: {
              tokenId: 't1', observationId: 'o1', purpose: 'user', actor: { id: '42', displayName: 'Alice', username: 'alice' },
              conversation: dm('42'), platformMessageId: 'm1', expiresAt: f.inMinutes(30),
            },
          },
          alice,
        ),
      ],
      (c) => changes.push(c),
    );
    const row = pairingRow(m, 'telegram');
    expect(row.tokens).toEqual([]);
    expect(row.observations).toEqual([
      expect.objectContaining({ observationId: 'o1', tokenId: 't1', purpose: 'user', actor: expect.objectContaining({ displayName: 'Alice' }), conversation: dm('42') }),
    ]);
    expect(changes.map((c) => c.type)).toEqual(['token.issued', 'token.removed', 'observation.added']);
    expect(changes.map((c) => c.eventType)).toEqual(['PairingTokenIssued', 'TokenObserved', 'TokenObserved']);
    expect(JSON.stringify(m, (_k, v) => (v instanceof Map ? [...v.values()] : v))).not.toContain(HMAC);
  });

  it('records the approving admin and removes the observation on approval', () => {
    const f = new EventFixtures();
    const m = initialReadModels();
    projectAll(m, [
      f.stored({ type: 'PairingTokenIssued', data: { tokenId: 't1', purpose: 'user', codeHmac: HMAC, expiresAt: f.inMinutes(5) } }),
      f.stored({ type: 'TokenObserved', data: { tokenId: 't1', observationId: 'o1', purpose: 'user', actor: actor('42', 'Alice'), conversation: dm('42'), platformMessageId: 'm1', expiresAt: f.inMinutes(30) } }, alice),
      f.tick(60_000).stored({ type: 'UserApproved', data: { user: actor('42', 'Alice'), how: 'pairing', observationId: 'o1' } }, { type: 'admin', id: 'grace' }),
    ]);
    expect(listUsers(m, 'telegram')).toEqual([
      { id: '42', displayName: 'Alice', approvedAt: f.now(), approvedBy: 'grace', how: 'pairing', observationId: 'o1' },
    ]);
    expect(pairingRow(m, 'telegram').observations).toEqual([]);
  });

  it('keeps allowlists per connection', () => {
    const tg = new EventFixtures('telegram');
    const dc = new EventFixtures('discord');
    const m = initialReadModels();
    project(m, tg.stored({ type: 'UserApproved', data: { user: actor('42'), how: 'manual' } }));
    expect(listUsers(m, 'telegram').map((u) => u.id)).toEqual(['42']);
    expect(listUsers(m, 'discord')).toEqual([]);
    project(m, { ...dc.stored({ type: 'UserRemoved', data: { userId: '42' } }), position: 2 });
    expect(listUsers(m, 'telegram').map((u) => u.id)).toEqual(['42']);
  });

  it('removes users and spaces, and tokens that expire or are revoked', () => {
    const f = new EventFixtures('slack');
    const m = initialReadModels();
    projectAll(m, [
      f.stored({ type: 'UserApproved', data: { user: actor('U1'), how: 'manual' } }),
      f.stored({ type: 'SpaceApproved', data: { space: { id: 'T1', kind: 'slack-workspace', title: 'Acme' }, how: 'manual' } }),
      f.stored({ type: 'PairingTokenIssued', data: { tokenId: 't1', purpose: 'user', codeHmac: HMAC, expiresAt: f.inMinutes(5) } }),
      f.stored({ type: 'PairingTokenIssued', data: { tokenId: 't2', purpose: 'space', codeHmac: HMAC, expiresAt: f.inMinutes(6) } }),
    ]);
    expect(listSpaces(m, 'slack')).toEqual([expect.objectContaining({ id: 'T1', kind: 'slack-workspace', title: 'Acme', approvedBy: 'ada', how: 'manual' })]);
    expect(pairingRow(m, 'slack').tokens.map((t) => [t.tokenId, t.issuedBy])).toEqual([['t1', 'ada'], ['t2', 'ada']]);
    projectAll(m, [
      f.stored({ type: 'TokenExpired', data: { tokenId: 't1' } }, { type: 'system', id: 'pairing-service' }),
      f.stored({ type: 'TokenRevoked', data: { tokenId: 't2' } }),
      f.stored({ type: 'UserRemoved', data: { userId: 'U1' } }),
      f.stored({ type: 'SpaceRemoved', data: { spaceId: 'T1' } }),
    ]);
    expect(connectionSummary(m, 'slack').counts).toMatchObject({ users: 0, spaces: 0, activeTokens: 0, pendingObservations: 0 });
  });

  it('approves a space with the user who paired it', () => {
    const f = new EventFixtures('discord');
    const m = initialReadModels();
    const space = { id: 'G1', kind: 'discord-server' as const, title: 'Guild' };
    projectAll(m, [
      f.stored({ type: 'TokenObserved', data: { tokenId: 't1', observationId: 'o1', purpose: 'space', actor: actor('7'), conversation: { id: 'C1', kind: 'channel' }, space, platformMessageId: 'm', expiresAt: f.inMinutes(30) } }),
      f.stored({ type: 'SpaceApproved', data: { space, how: 'pairing', observationId: 'o1', pairedBy: actor('7') } }),
    ]);
    expect(listSpaces(m, 'discord')[0]).toMatchObject({ id: 'G1', pairedBy: { id: '7' }, how: 'pairing' });
    expect(pairingRow(m, 'discord').observations).toEqual([]);
  });

  it('drops rejected and expired observations', () => {
    const f = new EventFixtures();
    const m = initialReadModels();
    const observed = (id: string) =>
      f.stored({ type: 'TokenObserved', data: { tokenId: `t-${id}`, observationId: id, purpose: 'user', actor: actor('1'), conversation: dm('1'), platformMessageId: id, expiresAt: f.inMinutes(30) } });
    const removed: string[] = [];
    projectAll(
      m,
      [observed('o1'), observed('o2'), f.stored({ type: 'ObservationRejected', data: { observationId: 'o1', tokenId: 't-o1' } }), f.stored({ type: 'ObservationExpired', data: { observationId: 'o2', tokenId: 't-o2' } }, { type: 'system', id: 'pairing-service' })],
      (c) => c.type === 'observation.removed' && removed.push(c.reason),
    );
    expect(removed).toEqual(['rejected', 'expired']);
    expect(pairingRow(m, 'telegram').observations).toEqual([]);
  });

  it('applies every event of one commit and ignores an older redelivery', () => {
    const f = new EventFixtures();
    const m = initialReadModels();
    const a = f.stored({ type: 'UserApproved', data: { user: actor('1'), how: 'manual' } });
    const b = f.stored({ type: 'UserApproved', data: { user: actor('2'), how: 'manual' } }, undefined, true);
    const c = f.stored({ type: 'UserRemoved', data: { userId: '1' } });
    projectAll(m, [a, b, c, a]);
    expect(a.position).toBe(b.position);
    expect(listUsers(m, 'telegram').map((u) => u.id)).toEqual(['2']);
    expect(readModelCounts(m)).toMatchObject({ position: c.position, events: 3, connections: 1, users: 1 });
  });

  it('hands out records that later events do not change', () => {
    const f = new EventFixtures();
    const m = initialReadModels();
    project(m, f.stored({ type: 'UserApproved', data: { user: actor('1', 'Old name'), how: 'manual' } }));
    const before = listUsers(m, 'telegram');
    project(m, f.stored({ type: 'UserApproved', data: { user: actor('1', 'New name'), how: 'manual' } }));
    expect(before[0].displayName).toBe('Old name');
    expect(listUsers(m, 'telegram')[0].displayName).toBe('New name');
  });

  it('counts events of streams that belong to no connection without inventing one', () => {
    const m = initialReadModels();
    const e = { ...new EventFixtures().stored({ type: 'UserApproved', data: { user: actor('1'), how: 'manual' } }), stream: 'other' } as StoredEvent;
    project(m, e);
    expect(readModelCounts(m)).toMatchObject({ events: 1, connections: 0 });
  });
});
