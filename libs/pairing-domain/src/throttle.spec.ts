import type { DomainEvent } from '@twokey/contracts';
import { rehydrate } from './evolve';
import { PAIRING_POLICY } from './policy';
import { CONNECTION } from './testing/fixtures';
import { Session } from './testing/session';
import { at, dm, events, inSpace, minutes, seconds, T0 } from './testing/fixtures';

const CODE = '7K3M9XQP';
const longToken = events.tokenIssued('tu', CODE, 'user', at(minutes(30)));
const guess = (i: number) => `WXYZ-000${i % 10}`;

/** `n` failed guesses by `actorId` in their DM, one per second from `start`. */
function guessInDm(s: Session, actorId: string, n: number, start = T0) {
  return Array.from({ length: n }, (_, i) => s.observe(dm(actorId, guess(i)), new Date(start.getTime() + seconds(i))));
}

describe('brute-force limits (rule 6)', () => {
  it('the first 5 failed attempts are each recorded at once as MessageDenied pairing-code-invalid', () => {
    const s = new Session([longToken]);
    const decisions = guessInDm(s, 'mallory', 5);
    for (const d of decisions) {
      expect(d).toMatchObject({ ok: true, outcome: { kind: 'denied', reason: 'pairing-code-invalid' } });
      expect(d.ok && d.events).toEqual([expect.objectContaining({ type: 'MessageDenied', data: expect.objectContaining({ count: 1 }) })]);
    }
  });

  it('the attempt that exceeds the limit yields PairingThrottled (actor and conversation scope) and is not matched, even with the valid code', () => {
    const s = new Session([longToken]);
    guessInDm(s, 'mallory', 5);
    const now = at(seconds(10));
    const d = s.observe(dm('mallory', CODE), now, 77);
    const until = new Date(now.getTime() + PAIRING_POLICY.throttleMs).toISOString();
    expect(d).toEqual({
      ok: true,
      events: [
        { type: 'PairingThrottled', data: { actorId: 'mallory', conversationId: 'dm-mallory', scope: 'actor', attempts: 5, until } },
        { type: 'PairingThrottled', data: { actorId: 'mallory', conversationId: 'dm-mallory', scope: 'conversation', attempts: 5, until } },
      ],
      outcome: { kind: 'denied', reason: 'pairing-throttled', coalesce: expect.objectContaining({ reason: 'pairing-throttled', inboundSequence: 77 }) },
    });
    expect(s.state.tokens.get('tu')?.status).toBe('live');
  });

  it('while throttled: code-shaped messages are denied pairing-throttled without events (once only PairingThrottled)', () => {
    const s = new Session([longToken]);
    guessInDm(s, 'mallory', 6);
    for (const text of [CODE, guess(1), 'ZZZZ-ZZZZ']) {
      expect(s.observe(dm('mallory', text), at(minutes(5)))).toEqual({
        ok: true,
        events: [],
        outcome: { kind: 'denied', reason: 'pairing-throttled', coalesce: expect.objectContaining({ reason: 'pairing-throttled' }) },
      });
    }
    expect(s.log.filter((e) => e.type === 'PairingThrottled')).toHaveLength(2);
    expect(s.state.tokens.get('tu')?.status).toBe('live');
  });

  it('while throttled, a message that is not code-shaped is handled as usual', () => {
    const s = new Session([longToken]);
    guessInDm(s, 'mallory', 6);
    expect(s.observe(dm('mallory', 'let me in please'), at(minutes(1)))).toMatchObject({ outcome: { kind: 'denied', reason: 'user-not-allowlisted' } });
  });

  it('no global lockout: another actor in another conversation still pairs', () => {
    const s = new Session([longToken]);
    guessInDm(s, 'mallory', 8);
    expect(s.observe(dm('alice', CODE), at(minutes(1)))).toMatchObject({ outcome: { kind: 'observed' } });
  });

  it('counts per conversation too: 5 actors failing once each in a group throttle that conversation only', () => {
    const s = new Session([longToken]);
    for (let i = 0; i < 5; i++) s.observe(inSpace(`m${i}`, 'g1', guess(i)), at(seconds(i)));
    const d = s.observe(inSpace('m5', 'g1', guess(5)), at(seconds(10)));
    expect(d.ok && d.events).toEqual([expect.objectContaining({ type: 'PairingThrottled', data: expect.objectContaining({ scope: 'conversation', conversationId: 'chat-g1', actorId: 'm5' }) })]);
    // Those actors can still pair in their own DMs.
    expect(s.observe(dm('m5', CODE), at(seconds(11)))).toMatchObject({ outcome: { kind: 'observed' } });
  });

  it('an allowlisted user is never throttled, even in a throttled conversation', () => {
    const s = new Session([events.userApproved('alice'), events.tokenIssued('ts', 'SPACE123', 'space', at(minutes(30)))]);
    for (let i = 0; i < 6; i++) s.observe(inSpace(`m${i}`, 'g1', guess(i)), at(seconds(i)));
    expect(s.observe(inSpace('alice', 'g1', 'SPAC-E123'), at(seconds(20)))).toMatchObject({ outcome: { kind: 'observed' } });
  });

  it('the window slides: attempts older than 15 min no longer count', () => {
    const s = new Session([longToken]);
    guessInDm(s, 'mallory', 5);
    const d = s.observe(dm('mallory', guess(7)), at(minutes(15) + seconds(1)));
    expect(d).toMatchObject({ ok: true, outcome: { kind: 'denied', reason: 'pairing-code-invalid' } });
  });

  it('after the throttle ends, matching resumes', () => {
    const s = new Session([events.tokenIssued('tu', CODE, 'user', at(minutes(40)))]);
    guessInDm(s, 'mallory', 6);
    expect(s.observe(dm('mallory', CODE), at(minutes(15)))).toMatchObject({ outcome: { kind: 'denied', reason: 'pairing-throttled' } });
    expect(s.observe(dm('mallory', CODE), at(minutes(16)))).toMatchObject({ outcome: { kind: 'observed' } });
  });

  it('expired-code attempts count as failed attempts too', () => {
    const expired: DomainEvent[] = [events.tokenIssued('old', 'ZZZZZZZZ', 'user', at(minutes(-1)))];
    const s = new Session(expired);
    for (let i = 0; i < 5; i++) s.observe(dm('mallory', 'ZZZZ-ZZZZ'), at(seconds(i)));
    expect(s.observe(dm('mallory', 'ZZZZ-ZZZZ'), at(seconds(6)))).toMatchObject({ outcome: { kind: 'denied', reason: 'pairing-throttled' } });
  });

  it('the counters are durable: rebuilt from the MessageDenied and PairingThrottled events', () => {
    const s = new Session([longToken]);
    guessInDm(s, 'mallory', 5);
    const restarted = new Session(s.log);
    expect(restarted.observe(dm('mallory', CODE), at(seconds(30)))).toMatchObject({ outcome: { kind: 'denied', reason: 'pairing-throttled' } });
    s.observe(dm('mallory', CODE), at(seconds(30)));
    const throttled = rehydrate(CONNECTION, s.log);
    expect(throttled.throttledUntil.actor.get('mallory')).toBe(at(seconds(30)).getTime() + PAIRING_POLICY.throttleMs);
  });

  it('a message that is not code-shaped never counts as an attempt', () => {
    const s = new Session([longToken]);
    for (let i = 0; i < 20; i++) s.observe(dm('chatty', `hello number ${i}`), at(seconds(i)));
    expect(s.log.filter((e) => e.type !== 'PairingTokenIssued')).toEqual([]);
    expect(s.observe(dm('chatty', CODE), at(seconds(30)))).toMatchObject({ outcome: { kind: 'observed' } });
  });
});
