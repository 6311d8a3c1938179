import { ReplyCapability } from '@twokey/contracts';
import { ReplyCapabilities } from './reply-capability';

const SECRET = 'reply-capability-secret-for-tests-0123456789';
const target = { connection: 'telegram', conversationId: '-100123', threadId: '77' };

describe('ReplyCapabilities', () => {
  let now = new Date('2026-01-01T00:00:00Z');
  const caps = new ReplyCapabilities(SECRET, 3600, () => now);
  beforeEach(() => (now = new Date('2026-01-01T00:00:00Z')));

  it('signs a capability that fits the contract and verifies for its exact target', () => {
    const cap = caps.sign(target);
    expect(ReplyCapability.parse(cap)).toEqual(cap);
    expect(cap).toMatchObject({ conversationId: '-100123', threadId: '77', expiresAt: '2026-01-01T01:00:00.000Z' });
    expect(caps.verify(cap, target)).toEqual({ ok: true });
  });

  it.each([
    ['another conversation', { ...target, conversationId: '-100999' }],
    ['another thread', { ...target, threadId: '78' }],
    ['no thread', { connection: 'telegram', conversationId: '-100123' }],
    ['another connection', { ...target, connection: 'telegram-2' }],
  ])('refuses a capability used for %s', (_, other) => {
    const r = caps.verify(caps.sign(target), other);
    expect(r).toMatchObject({ ok: false, reason: expect.stringMatching(/another|forged/) });
  });

  it('refuses a capability whose fields were rewritten to another target (the MAC covers them)', () => {
    const cap = { ...caps.sign(target), conversationId: '-100999' };
    expect(caps.verify(cap, { ...target, conversationId: '-100999' }).ok).toBe(false);
    const later = { ...caps.sign(target), expiresAt: '2030-01-01T00:00:00.000Z' };
    expect(caps.verify(later, target).ok).toBe(false);
  });

  it('refuses a forged MAC, a MAC under another key, and no capability at all', () => {
    const cap = caps.sign(target);
    const flipped = cap.mac.startsWith('A') ? `B${cap.mac.slice(1)}` : `A${cap.mac.slice(1)}`;
    expect(caps.verify({ ...cap, mac: flipped }, target).ok).toBe(false);
    const otherKey = new ReplyCapabilities('another-secret-of-at-least-32-characters!', 3600, () => now);
    expect(caps.verify(otherKey.sign(target), target).ok).toBe(false);
    expect(caps.verify(undefined, target)).toEqual({ ok: false, reason: 'no reply capability' });
  });

  it('refuses an expired capability (the injected clock), and accepts it until then', () => {
    const cap = caps.sign(target);
    now = new Date('2026-01-01T00:59:59Z');
    expect(caps.verify(cap, target).ok).toBe(true);
    now = new Date('2026-01-01T01:00:00Z');
    expect(caps.verify(cap, target)).toEqual({ ok: false, reason: 'reply capability expired' });
  });

  it('never puts the MAC in a reason, and rejects short secrets and bad TTLs', () => {
    const cap = caps.sign(target);
    const r = caps.verify(cap, { ...target, conversationId: 'x' });
    expect(JSON.stringify(r)).not.toContain(cap.mac);
    expect(() => new ReplyCapabilities('short')).toThrow(/at least 32/);
    expect(() => new ReplyCapabilities(SECRET, 0)).toThrow(/TTL/);
  });
});
