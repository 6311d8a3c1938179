import { bootGateway } from '@twokey/gateway-kit';
import { TelegramSettings } from './config';
import { TelegramAdapter } from './telegram-adapter';

void bootGateway({
  platform: 'telegram',
  settings: TelegramSettings,
  createAdapter: (s, { config, logger }) =>
    new TelegramAdapter({
      connection: config.connection,
      token: s.TELEGRAM_BOT_TOKEN,
      apiRoot: s.TELEGRAM_API_ROOT,
      mode: s.TELEGRAM_MODE,
      webhook: s.TELEGRAM_WEBHOOK_SECRET
        ? { path: s.TELEGRAM_WEBHOOK_PATH, secretToken: s.TELEGRAM_WEBHOOK_SECRET, url: s.TELEGRAM_WEBHOOK_URL }
        : undefined,
      logger,
    }),
});
