import { batches, retryKey, splitText } from './outbound';

describe('LINE outbound helpers', () => {
  it('keeps short text whole and splits long text at the limit', () => {
    expect(splitText('hello')).toEqual(['hello']);
    expect(splitText('')).toEqual([]);
    const parts = splitText('a'.repeat(12_001));
    expect(parts.map((p) => p.length)).toEqual([5000, 5000, 2001]);
  });

  it('never cuts a surrogate pair', () => {
    const text = 'a'.repeat(4999) + '😀' + 'b';
    const parts = splitText(text);
    expect(parts).toEqual(['a'.repeat(4999), '😀b']);
    expect(parts.join('')).toBe(text);
  });

  it('groups messages five per request', () => {
    expect(batches([1, 2, 3, 4, 5, 6, 7]).map((b) => b.length)).toEqual([5, 2]);
  });

  it('derives a stable UUID retry key per idempotency key and batch', () => {
    const k = retryKey('send-1', 0);
    expect(k).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(retryKey('send-1', 0)).toBe(k);
    expect(retryKey('send-1', 1)).not.toBe(k);
    expect(retryKey('send-2', 0)).not.toBe(k);
  });
});
