/**
 * How to start each gateway against its fake platform (libs/test-support/src/fakes): the fake runs in the bench
 * process, the gateway as a child process pointed at it, with the platform's own environment variables.
 */
import { FakeDiscord } from '@twokey/test-support/fakes/discord';
import { FakeFeishu } from '@twokey/test-support/fakes/feishu';
import { FakeLine } from '@twokey/test-support/fakes/line';
import { FakeMattermost } from '@twokey/test-support/fakes/mattermost';
import { FakeSlack } from '@twokey/test-support/fakes/slack';
import { FakeTelegram } from '@twokey/test-support/fakes/telegram';

export interface GatewayRecipe {
  platform: string;
  /** Starts the fake; returns the gateway's platform variables and how to stop the fake. */
  start(): Promise<{ env: Record<string, string>; stop(): Promise<void> }>;
}

const closer = (fake: { close(): Promise<void> }) => () => fake.close();

export const GATEWAYS: GatewayRecipe[] = [
  {
    platform: 'telegram',
    async start() {
      const token = '123456789:AAbenchbenchbenchbenchbenchbench';
      const fake = await FakeTelegram.start({ token });
      return { env: { TELEGRAM_BOT_TOKEN: token, TELEGRAM_API_ROOT: fake.url }, stop: closer(fake) };
    },
  },
  {
    platform: 'discord',
    async start() {
      const token = 'bench.discord.bot.token.0123456789abcdef';
      const fake = await FakeDiscord.start({ token });
      return { env: { DISCORD_BOT_TOKEN: token, DISCORD_API_URL: fake.apiUrl }, stop: closer(fake) };
    },
  },
  {
    platform: 'slack',
    async start() {
      const botToken = 'xoxb-1111-2222-benchtoken';
      const fake = await FakeSlack.start({ botToken, teamId: 'TBENCH' });
      return { env: { SLACK_BOT_TOKEN: botToken, SLACK_SIGNING_SECRET: 'bench-signing-secret-0123456789', SLACK_API_URL: fake.apiUrl }, stop: closer(fake) };
    },
  },
  {
    platform: 'mattermost',
    async start() {
      const token = 'benchmattermosttoken0123456';
      const fake = await FakeMattermost.start({ token, bot: { id: 'benchbot000000000000000000', username: 'twokey', is_bot: true } });
      return { env: { MATTERMOST_URL: fake.url, MATTERMOST_TOKEN: token }, stop: closer(fake) };
    },
  },
  {
    platform: 'feishu',
    async start() {
      const appId = 'cli_bench0000000001';
      const appSecret = 'bench-feishu-app-secret';
      const verificationToken = 'bench-verification-token';
      const fake = await FakeFeishu.start({ appId, appSecret, verificationToken });
      return {
        env: { FEISHU_APP_ID: appId, FEISHU_APP_SECRET: appSecret, FEISHU_VERIFICATION_TOKEN: verificationToken, FEISHU_ENCRYPT_KEY: 'bench-encrypt-key-0123456789', FEISHU_DOMAIN: fake.url },
        stop: closer(fake),
      };
    },
  },
  {
    platform: 'line',
    async start() {
      const channelAccessToken = 'bench-line-channel-access-token';
      const fake = await FakeLine.start({ channelAccessToken });
      return { env: { LINE_CHANNEL_SECRET: 'bench-line-channel-secret', LINE_CHANNEL_ACCESS_TOKEN: channelAccessToken, LINE_API_BASE_URL: fake.url }, stop: closer(fake) };
    },
  },
];
