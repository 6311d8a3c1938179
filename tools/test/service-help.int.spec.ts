// `--help` on every service's compiled entry point, with an empty environment: it lists the variables the service
// reads (from the schema that validates them) and exits 0, instead of failing on the first missing secret.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { assertBuilt, repoRoot } from './support/dist';

const SERVICES: [string, string[]][] = [
  ['pairing-service', ['PAIRING_HMAC_SECRET', 'REPLY_CAPABILITY_SECRET', 'REPLY_CAPABILITY_TTL_SECONDS', 'DENIAL_WINDOW_SECONDS', 'NATS_URL']],
  ['admin-api', ['ADMIN_TOKEN_HASHES', 'CONNECTIONS', 'NATS_URL']],
  ['gateway-telegram', ['TELEGRAM_BOT_TOKEN', 'TWOKEY_CONNECTION_ID', 'NATS_URL', 'REPLY_CAPABILITY_SECRET']],
  ['gateway-discord', ['DISCORD_BOT_TOKEN', 'NATS_URL']],
  ['gateway-slack', ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET']],
  ['gateway-mattermost', ['MATTERMOST_URL', 'MATTERMOST_TOKEN']],
  ['gateway-feishu', ['FEISHU_APP_ID', 'FEISHU_APP_SECRET']],
  ['gateway-line', ['LINE_CHANNEL_SECRET', 'LINE_CHANNEL_ACCESS_TOKEN', 'REPLY_CAPABILITY_SECRET']],
  ['agent-bridge', ['AGENT_COMMAND', 'AGENT_ENV', 'AGENT_WORKDIR', 'AGENT_WEBHOOK_URL', 'SESSION_SCOPE', 'AGENT_MAX_AGE', 'PERMISSION_TIMEOUT', 'APPROVERS']],
];

describe('service --help', () => {
  beforeAll(() => assertBuilt(...SERVICES.map(([app]) => `dist/apps/${app}/src/main.js`)));

  it.each(SERVICES)('%s lists its variables and exits 0 without any configuration', (app, variables) => {
    const main = path.join(repoRoot, `dist/apps/${app}/src/main.js`);
    const r = spawnSync(process.execPath, [main, '--help'], { env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8', timeout: 15_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`usage: node dist/apps/${app}/src/main.js`);
    for (const v of variables) expect(r.stdout).toMatch(new RegExp(`^  ${v} +(required|optional|default)`, 'm'));
  });
});
