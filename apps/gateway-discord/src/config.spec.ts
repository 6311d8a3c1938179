import { loadGatewayConfig as loadKitConfig } from '@twokey/gateway-kit';
import { DiscordSettings } from './config';

/** Every gateway needs the reply capability key; these cases are about the other variables. */
const loadGatewayConfig: typeof loadKitConfig = (platform, schema, env = {}) => loadKitConfig(platform, schema, { REPLY_CAPABILITY_SECRET: 'r'.repeat(32), ...env });

describe('gateway-discord configuration', () => {
  it('names DISCORD_BOT_TOKEN when it is missing', () => {
    expect(() => loadGatewayConfig('discord', DiscordSettings, {})).toThrow(/DISCORD_BOT_TOKEN: is required but not set/);
  });

  it('accepts a REST base URL without a trailing slash', () => {
    const { settings } = loadGatewayConfig('discord', DiscordSettings, { DISCORD_BOT_TOKEN: 'x'.repeat(40), DISCORD_API_URL: 'http://127.0.0.1:9/api/' });
    expect(settings.DISCORD_API_URL).toBe('http://127.0.0.1:9/api');
  });
});
