import { loadConfig } from './config';
import { JsonLogger } from './logger';
import { clearRegisteredSecrets, redactSecrets, registerSecret, REDACTED } from './redact';
import { z } from 'zod';

function capture() {
  const lines: string[] = [];
  return { lines, sink: { write: (l: string) => void lines.push(l) } };
}

describe('redactSecrets', () => {
  afterEach(() => clearRegisteredSecrets());

  it('H1: redacts every registered secret by value, also URL-encoded, and the known token shapes', () => {
    registerSecret('s3cret-password-value');
    registerSecret('pass/with+slash');
    const text = [
      'request to http://127.0.0.1:1/bot7000000001:AAtelegram-test-token_0123456789/getMe failed',
      'slack xoxb-1234-5678-abcdefgh and xoxp-11-22-33abc and app xapp-1-A0123-456-abcdef',
      'discord MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.abcdefghijklmnopqrstuvwxyz0123',
      'feishu t-g1044ghJRUIJJ5ELPPB4F7YT3EYPWHU5H3W',
      'header Authorization: Bearer abcdefghijklmnopqrstuvwxyz',
      'nats://gateway:hunter2hunter2@nats:4222',
      'configured s3cret-password-value and pass%2Fwith%2Bslash',
      `line ${'A'.repeat(160)}=`,
      'socket wss://wss-primary.slack.com/link/?ticket=5ec7e7-0ne-time&app_id=A0123',
    ].join('\n');
    const out = redactSecrets(text);
    for (const leak of ['AAtelegram-test-token', 'xoxb-1234', 'xoxp-11', 'xapp-1-A0123', 'GhIjKl.abcdef', 'g1044gh', 'abcdefghijklmnopqrstuvwxyz', 'hunter2', 's3cret', 'pass%2F', 'AAAAAAAAAA', '5ec7e7-0ne-time']) {
      expect(out).not.toContain(leak);
    }
    expect(out).toContain('Bearer [redacted]');
    expect(out).toContain('nats://gateway:[redacted]@nats:4222');
    expect(out).toContain('/getMe failed');
    expect(out).toContain('?ticket=[redacted]&app_id=A0123');
  });

  it('leaves ordinary ids, message ids, times and short values alone', () => {
    registerSecret('short');
    const text = 'telegram:1111111:11 at 2026-12-04T18:36:33.000Z, user U0123ABCD, chat -1002271335705, short';
    expect(redactSecrets(text)).toBe(text);
  });

  it('stays linear on adversarial text (no pattern backtracks over a long run): 256 KiB runs finish at once', () => {
    // A quadratic pattern needs minutes for these (the first Telegram pattern, `\d+:`, took 5 s for 64 KiB of digits);
    // linear ones take milliseconds, far inside the test's own timeout.
    const untouched = ['a-'.repeat(131_072), `Bearer${' '.repeat(262_144)}`, `//:${'a-'.repeat(131_072)}`, 't-'.repeat(131_072), `${'1'.repeat(100)}:`.repeat(2_600)];
    for (const run of untouched) expect(redactSecrets(run) === run).toBe(true); // not toBe: a failure would print 256 KiB
    // One long base64 run is one LINE-shaped token.
    for (const run of ['1'.repeat(262_144), 'A+'.repeat(131_072)]) expect(redactSecrets(run) === REDACTED).toBe(true);
  });

  it('H1: loadConfig registers every variable named like a secret, and NATS URL passwords', () => {
    const schema = z.object({ TELEGRAM_BOT_TOKEN: z.string(), SESSION_SECRET: z.string(), NATS_URL: z.string(), HTTP_HOST: z.string() });
    loadConfig('svc', schema, { TELEGRAM_BOT_TOKEN: 'not-shaped-like-a-token', SESSION_SECRET: 'session-secret-value', NATS_URL: 'nats://u:natspassword1@h:4222', HTTP_HOST: 'localhost-host' });
    const { lines, sink } = capture();
    new JsonLogger('svc', 'info', sink).error('failed with not-shaped-like-a-token', { error: new Error('session-secret-value natspassword1'), host: 'localhost-host' });
    expect(lines[0]).not.toMatch(/not-shaped-like-a-token|session-secret-value|natspassword1/);
    expect(lines[0]).toContain(REDACTED);
    expect(lines[0]).toContain('localhost-host');
  });
});
