import { loadGatewayConfig as loadKitConfig } from '@twokey/gateway-kit';
import { ConfigError } from '@twokey/service-kit';
import { TelegramSettings } from './config';

/** Every gateway needs the reply capability key; these cases are about the other variables. */
const loadGatewayConfig: typeof loadKitConfig = (platform, schema, env = {}) => loadKitConfig(platform, schema, { REPLY_CAPABILITY_SECRET: 'r'.repeat(32), ...env });

const problems = (env: NodeJS.ProcessEnv) => {
  try {
    loadGatewayConfig('telegram', TelegramSettings, env);
    return [];
  } catch (e) {
    return (e as ConfigError).problems.map((p) => p.variable);
  }
};

describe('gateway-telegram configuration', () => {
  it('needs TELEGRAM_BOT_TOKEN, and names it when missing', () => {
    expect(problems({})).toEqual(['TELEGRAM_BOT_TOKEN']);
    expect(() => loadGatewayConfig('telegram', TelegramSettings, {})).toThrow(/TELEGRAM_BOT_TOKEN: is required but not set/);
  });

  it('defaults to long polling and the telegram connection', () => {
    const { gateway, settings } = loadGatewayConfig('telegram', TelegramSettings, { TELEGRAM_BOT_TOKEN: '123:abc', TELEGRAM_API_ROOT: 'http://127.0.0.1:9/' });
    expect(settings).toMatchObject({ TELEGRAM_MODE: 'polling', TELEGRAM_API_ROOT: 'http://127.0.0.1:9' });
    expect(gateway.connection).toBe('telegram');
  });

  it('needs a secret token in webhook mode', () => {
    expect(problems({ TELEGRAM_BOT_TOKEN: '123:abc', TELEGRAM_MODE: 'webhook' })).toEqual(['TELEGRAM_WEBHOOK_SECRET']);
    expect(problems({ TELEGRAM_BOT_TOKEN: '123:abc', TELEGRAM_MODE: 'webhook', TELEGRAM_WEBHOOK_SECRET: 'short' })).toEqual(['TELEGRAM_WEBHOOK_SECRET']);
    expect(problems({ TELEGRAM_BOT_TOKEN: '123:abc', TELEGRAM_MODE: 'webhook', TELEGRAM_WEBHOOK_SECRET: 'a-long-enough-secret-123' })).toEqual([]);
  });

  it('refuses a token that is not a bot token', () => {
    expect(problems({ TELEGRAM_BOT_TOKEN: 'not a token' })).toEqual(['TELEGRAM_BOT_TOKEN']);
  });
});
