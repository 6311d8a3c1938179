import { bootGateway } from '@twokey/gateway-kit';
import { checkFeishuSettings, FeishuSettings, larkDomain } from './config';
import { FeishuAdapter } from './feishu-adapter';

void bootGateway({
  platform: 'feishu',
  settings: FeishuSettings,
  createAdapter: (s, { config, logger }) => {
    checkFeishuSettings(s);
    return new FeishuAdapter({
      connection: config.connection,
      appId: s.FEISHU_APP_ID,
      appSecret: s.FEISHU_APP_SECRET,
      domain: larkDomain(s.FEISHU_DOMAIN),
      mode: s.FEISHU_MODE,
      verificationToken: s.FEISHU_VERIFICATION_TOKEN,
      encryptKey: s.FEISHU_ENCRYPT_KEY,
      allowUnsigned: s.FEISHU_ALLOW_UNSIGNED,
      webhookPath: s.FEISHU_WEBHOOK_PATH,
      logger,
    });
  },
});
