import { sendUuid } from './send-uuid';

describe('sendUuid', () => {
  it('keeps a short, simple idempotency key', () => {
    expect(sendUuid('reply-1')).toBe('reply-1');
  });

  it('hashes long or unusual keys to 50 stable characters', () => {
    const long = 'k'.repeat(200);
    expect(sendUuid(long)).toHaveLength(50);
    expect(sendUuid(long)).toBe(sendUuid(long));
    expect(sendUuid('with spaces / slashes')).toMatch(/^[0-9a-f]{50}$/);
    expect(sendUuid('a'.repeat(51))).not.toBe(sendUuid('a'.repeat(52)));
  });
});
