import type { DenialReason, StoredEvent } from '@twokey/contracts';
import { InvalidCursor } from './attention';
import { ReadModelChange } from './changes';
import { initialReadModels } from './model';
import { projectAll } from './project';
import { attentionPage, connectionSummary } from './queries';
import { EventFixtures } from './testing';

function denied(f: EventFixtures, actorId: string, conversationId: string, count = 1, reason: DenialReason = 'user-not-allowlisted', threadId?: string): StoredEvent {
  const at = f.now();
  return f.stored(
    {
      type: 'MessageDenied',
      data: {
        reason,
        actor: { id: actorId, displayName: `Name ${actorId}` },
        conversation: { id: conversationId, kind: conversationId === actorId ? 'dm' : 'group', ...(threadId ? { threadId } : {}) },
        ...(conversationId === actorId ? {} : { space: { id: `S-${conversationId}`, kind: 'telegram-group' as const } }),
        count,
        firstSeenAt: at,
        lastSeenAt: at,
      },
    },
    { type: 'platform-user', id: actorId },
  );
}

describe('Activity → Attention', () => {
  it('shows the space title the gateway resolved, the newest one winning, and pairing-code-used as its own reason', () => {
    const f = new EventFixtures();
    const m = initialReadModels();
    const titled = (title: string | undefined, reason: DenialReason = 'user-not-allowlisted'): StoredEvent => {
      const e = denied(f, '7', 'g', 1, reason);
      const data = (e as Extract<StoredEvent, { type: 'MessageDenied' }>).data;
      return { ...e, data: { ...data, space: { ...data.space!, ...(title ? { title } : {}) } } } as StoredEvent;
    };
    projectAll(m, [titled(undefined), f.tick(1000) && titled('Tea party'), f.tick(1000) && titled(undefined), titled('Tea party', 'pairing-code-used')]);
    const { items } = attentionPage(m, { connection: 'telegram', limit: 50 });
    expect(items.map((i) => [i.reason, i.spaceTitle])).toEqual([
      ['pairing-code-used', 'Tea party'],
      ['user-not-allowlisted', 'Tea party'],
    ]);
  });

  it('groups denials by actor, conversation, thread and reason and sums their counts', () => {
    const f = new EventFixtures();
    const m = initialReadModels();
    const first = f.now();
    projectAll(m, [
      denied(f, '1', '1', 3),
      f.tick(1000) && denied(f, '1', '1', 2),
      denied(f, '1', 'g', 1),
      denied(f, '1', 'g', 1, 'user-not-allowlisted', 'topic-9'),
      denied(f, '1', '1', 1, 'pairing-code-invalid'),
    ]);
    const { items } = attentionPage(m, { connection: 'telegram', limit: 50 });
    expect(items).toHaveLength(4);
    const dmGroup = items.find((i) => i.conversationId === '1' && i.reason === 'user-not-allowlisted');
    expect(dmGroup).toMatchObject({ actorId: '1', displayName: 'Name 1', count: 5, firstSeen: first, lastSeen: f.now(), connection: 'telegram' });
    expect(items.find((i) => i.threadId === 'topic-9')).toMatchObject({ conversationId: 'g', spaceId: 'S-g', count: 1 });
    expect(connectionSummary(m, 'telegram').counts.deniedMessages).toBe(8);
  });

  it('lists newest first and pages with a cursor, without repeats when new denials arrive', () => {
    const f = new EventFixtures();
    const m = initialReadModels();
    for (let i = 0; i < 25; i++) projectAll(m, [f.tick(1000) && denied(f, `a${i}`, `a${i}`)]);
    const p1 = attentionPage(m, { connection: 'telegram', limit: 10 });
    expect(p1.items.map((i) => i.actorId)).toEqual(Array.from({ length: 10 }, (_, i) => `a${24 - i}`));
    projectAll(m, [f.tick(1000) && denied(f, 'late', 'late')]);
    const p2 = attentionPage(m, { connection: 'telegram', limit: 10, cursor: p1.nextCursor! });
    const p3 = attentionPage(m, { connection: 'telegram', limit: 10, cursor: p2.nextCursor! });
    expect(p2.items.map((i) => i.actorId)).toEqual(Array.from({ length: 10 }, (_, i) => `a${14 - i}`));
    expect(p3.items.map((i) => i.actorId)).toEqual(['a4', 'a3', 'a2', 'a1', 'a0']);
    expect(p3.nextCursor).toBeNull();
  });

  it('merges connections when none is given', () => {
    const tg = new EventFixtures('telegram');
    const sl = new EventFixtures('slack');
    const m = initialReadModels();
    projectAll(m, [denied(tg, '1', '1')]);
    sl.tick(5000);
    const e = denied(sl, 'U1', 'U1');
    projectAll(m, [{ ...e, position: 2 }]);
    expect(attentionPage(m, { limit: 10 }).items.map((i) => i.connection)).toEqual(['slack', 'telegram']);
    expect(attentionPage(m, { connection: 'discord', limit: 10 })).toEqual({ items: [], nextCursor: null });
  });

  it('evicts the least recently updated group beyond the retention bound', () => {
    const f = new EventFixtures();
    const m = initialReadModels({ maxAttentionGroups: 3 });
    const changes: ReadModelChange[] = [];
    projectAll(m, [denied(f, '1', '1'), f.tick(1) && denied(f, '2', '2'), f.tick(1) && denied(f, '3', '3'), f.tick(1) && denied(f, '1', '1')], (c) => changes.push(c));
    projectAll(m, [f.tick(1) && denied(f, '4', '4')], (c) => changes.push(c));
    expect(attentionPage(m, { limit: 10 }).items.map((i) => i.actorId)).toEqual(['4', '1', '3']);
    expect(changes.filter((c) => c.type === 'attention.evicted')).toHaveLength(1);
    expect(connectionSummary(m, 'telegram').counts.attentionGroups).toBe(3);
  });

  it('rejects a cursor it did not issue', () => {
    const m = initialReadModels();
    expect(() => attentionPage(m, { limit: 5, cursor: 'not-a-cursor' })).toThrow(InvalidCursor);
  });

  it('emits the changed group with its new count', () => {
    const f = new EventFixtures();
    const m = initialReadModels();
    const counts: number[] = [];
    projectAll(m, [denied(f, '1', '1', 2), denied(f, '1', '1', 3)], (c) => c.type === 'attention.changed' && counts.push(c.group.count));
    expect(counts).toEqual([2, 5]);
  });
});
