import { safeReason } from './safe-reason';

describe('safeReason', () => {
  it.each([
    ['a URL carrying a Telegram token', 'Telegram API unreachable: request to https://api.telegram.org/bot7000001:AAsecretsecretsecretsecret/getMe failed', 'Telegram API unreachable: request to <url> failed'],
    ['a bare bot token', 'token 123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw rejected', 'token <redacted> rejected'],
    ['Slack tokens', 'xoxb-1234-5678-abcdef and xapp-1-A111-222-abc', '<redacted> and <redacted>'],
    ['plain words', 'Discord closed the gateway: disallowed intents (4014)', 'Discord closed the gateway: disallowed intents (4014)'],
  ])('%s', (_label, input, expected) => {
    expect(safeReason(input)).toBe(expected);
  });

  it('clips a long reason', () => {
    expect(safeReason('x'.repeat(1000)).length).toBeLessThanOrEqual(300);
  });
});
