import { bootGateway } from '@twokey/gateway-kit';
import { LineSettings } from './config';
import { LineAdapter } from './line-adapter';

void bootGateway({
  platform: 'line',
  settings: LineSettings,
  createAdapter: (s, { config, logger }) =>
    new LineAdapter({
      connection: config.connection,
      channelSecret: s.LINE_CHANNEL_SECRET,
      channelAccessToken: s.LINE_CHANNEL_ACCESS_TOKEN,
      apiBaseUrl: s.LINE_API_BASE_URL,
      webhookPath: s.LINE_WEBHOOK_PATH,
      logger,
    }),
});
