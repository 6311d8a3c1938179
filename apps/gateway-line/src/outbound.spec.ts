import { retryKey } from './outbound';

describe('LINE outbound helpers', () => {
  it('derives a stable UUID retry key per idempotency key and batch', () => {
    const k = retryKey('send-1', 0);
    expect(k).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(retryKey('send-1', 0)).toBe(k);
    expect(retryKey('send-1', 1)).not.toBe(k);
    expect(retryKey('send-2', 0)).not.toBe(k);
  });
});
