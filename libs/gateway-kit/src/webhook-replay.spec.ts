import { ReplayWindow, WEBHOOK_MAX_SKEW_MS, webhookFreshness } from './webhook-replay';

describe('webhookFreshness', () => {
  const now = 1_700_000_000_000;
  it('L1: accepts timestamps within 5 minutes either way and names the others', () => {
    expect(webhookFreshness(now, now)).toBe('fresh');
    expect(webhookFreshness(now - WEBHOOK_MAX_SKEW_MS, now)).toBe('fresh');
    expect(webhookFreshness(now - WEBHOOK_MAX_SKEW_MS - 1, now)).toBe('stale');
    expect(webhookFreshness(now + WEBHOOK_MAX_SKEW_MS + 1, now)).toBe('future');
    expect(webhookFreshness(undefined, now)).toBe('missing');
    expect(webhookFreshness(Number.NaN, now)).toBe('missing');
  });
});

describe('ReplayWindow', () => {
  it('M5: remembers ids for the window, forgets them after, and stays bounded', () => {
    const w = new ReplayWindow(1_000, 3);
    expect(w.firstSeen('a', 0)).toBe(true);
    expect(w.firstSeen('a', 999)).toBe(false);
    expect(w.firstSeen('a', 2_500)).toBe(true);
    for (const id of ['b', 'c', 'd', 'e']) w.remember(id, 2_600);
    expect(w.has('a', 2_600)).toBe(false); // the oldest went first
    expect(w.has('e', 2_600)).toBe(true);
  });
});
