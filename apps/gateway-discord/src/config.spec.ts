import { loadGatewayConfig } from '@twokey/gateway-kit';
import { DiscordSettings } from './config';

describe('gateway-discord configuration', () => {
  it('names DISCORD_BOT_TOKEN when it is missing', () => {
    expect(() => loadGatewayConfig('discord', DiscordSettings, {})).toThrow(/DISCORD_BOT_TOKEN: is required but not set/);
  });

  it('accepts a REST base URL without a trailing slash', () => {
    const { settings } = loadGatewayConfig('discord', DiscordSettings, { DISCORD_BOT_TOKEN: 'x'.repeat(40), DISCORD_API_URL: 'http://127.0.0.1:9/api/' });
    expect(settings.DISCORD_API_URL).toBe('http://127.0.0.1:9/api');
  });
});
