import { loadGatewayConfig as loadKitConfig } from '@twokey/gateway-kit';
import { ConfigError } from '@twokey/service-kit';
import { SlackSettings } from './config';

/** Every gateway needs the reply capability key; these cases are about the other variables. */
const loadGatewayConfig: typeof loadKitConfig = (platform, schema, env = {}) => loadKitConfig(platform, schema, { REPLY_CAPABILITY_SECRET: 'r'.repeat(32), ...env });

const problems = (env: NodeJS.ProcessEnv) => {
  try {
    loadGatewayConfig('slack', SlackSettings, env);
    return [];
  } catch (e) {
    return (e as ConfigError).problems.map((p) => p.variable);
  }
};

describe('gateway-slack configuration', () => {
  it('needs the bot token and, in http mode (the default), the signing secret', () => {
    expect(problems({})).toEqual(expect.arrayContaining(['SLACK_BOT_TOKEN']));
    expect(problems({ SLACK_BOT_TOKEN: 'xoxb-1-2' })).toEqual(['SLACK_SIGNING_SECRET']);
  });

  it('needs the app token in socket mode', () => {
    expect(problems({ SLACK_BOT_TOKEN: 'xoxb-1-2', SLACK_MODE: 'socket' })).toEqual(['SLACK_APP_TOKEN']);
    expect(problems({ SLACK_BOT_TOKEN: 'xoxb-1-2', SLACK_MODE: 'socket', SLACK_APP_TOKEN: 'xapp-1-A1-2' })).toEqual([]);
  });

  it('gives slackApiUrl its trailing slash and refuses a user token as bot token', () => {
    const { settings } = loadGatewayConfig('slack', SlackSettings, { SLACK_BOT_TOKEN: 'xoxb-1-2', SLACK_SIGNING_SECRET: 's'.repeat(32), SLACK_API_URL: 'http://127.0.0.1:9/api' });
    expect(settings.SLACK_API_URL).toBe('http://127.0.0.1:9/api/');
    expect(problems({ SLACK_BOT_TOKEN: 'xoxp-user-token', SLACK_SIGNING_SECRET: 's'.repeat(32) })).toEqual(['SLACK_BOT_TOKEN']);
  });
});
