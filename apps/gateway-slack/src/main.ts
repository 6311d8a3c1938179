import { bootGateway } from '@twokey/gateway-kit';
import { SlackSettings } from './config';
import { SlackAdapter } from './slack-adapter';

void bootGateway({
  platform: 'slack',
  settings: SlackSettings,
  createAdapter: (s, { config, logger }) =>
    new SlackAdapter({
      connection: config.connection,
      botToken: s.SLACK_BOT_TOKEN,
      mode: s.SLACK_MODE,
      signingSecret: s.SLACK_SIGNING_SECRET,
      appToken: s.SLACK_APP_TOKEN,
      eventsPath: s.SLACK_EVENTS_PATH,
      apiUrl: s.SLACK_API_URL,
      logger,
    }),
});
