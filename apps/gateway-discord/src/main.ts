import { bootGateway } from '@twokey/gateway-kit';
import { DiscordSettings } from './config';
import { DiscordAdapter } from './discord-adapter';

void bootGateway({
  platform: 'discord',
  settings: DiscordSettings,
  createAdapter: (s, { config, logger }) =>
    new DiscordAdapter({ connection: config.connection, token: s.DISCORD_BOT_TOKEN, apiUrl: s.DISCORD_API_URL, logger }),
});
