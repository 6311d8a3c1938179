import { JsonLogger } from '@twokey/service-kit';
import { TYPING_MAX_MS, TYPING_REFRESH_MS, TypingRefresher } from './typing-refresher';

describe('TypingRefresher', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());
  const logger = new JsonLogger('test', 'error', { write: () => undefined });
  const clock = { now: () => Date.now(), sleep: async () => undefined };

  it('shows typing again every few seconds until stopped, per conversation and thread', () => {
    const shown: string[] = [];
    const r = new TypingRefresher(async (t) => void shown.push(`${t.conversationId}/${t.threadId ?? ''}`), clock, logger);
    r.start({ conversationId: 'c', threadId: '7' });
    r.start({ conversationId: 'c' });
    jest.advanceTimersByTime(TYPING_REFRESH_MS * 2);
    expect(shown.sort()).toEqual(['c/', 'c/', 'c/7', 'c/7']);
    r.stop({ conversationId: 'c', threadId: '7' });
    jest.advanceTimersByTime(TYPING_REFRESH_MS * 2);
    expect(shown.filter((s) => s === 'c/7')).toHaveLength(2);
    r.close();
    jest.advanceTimersByTime(TYPING_REFRESH_MS * 2);
    expect(shown).toHaveLength(6);
  });

  it('gives up after the longest turn it believes in', () => {
    let shown = 0;
    const r = new TypingRefresher(async () => void shown++, clock, logger);
    r.start({ conversationId: 'c' });
    jest.advanceTimersByTime(TYPING_MAX_MS + TYPING_REFRESH_MS * 3);
    const atMax = shown;
    expect(atMax).toBeLessThanOrEqual(TYPING_MAX_MS / TYPING_REFRESH_MS);
    jest.advanceTimersByTime(TYPING_REFRESH_MS * 10);
    expect(shown).toBe(atMax);
  });
});
