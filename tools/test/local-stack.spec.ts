// The pieces of `npm start` that decide things: the .env reader, which services run with which variables, the
// environment each child gets. (Files: local-files.int.spec.ts; the whole stack: local-stack.int.spec.ts.)
import { parseDotenv } from '../scripts/local-stack/dotenv';
import { childEnv, planServices } from '../scripts/local-stack/services';
import { formatterFor, humanLine } from '../scripts/local-stack/log-format';
import { repoRoot } from './support/dist';

describe('.env reader', () => {
  it('reads KEY=value lines with export, quotes, escapes and comments', () => {
    const text = [
      '# comment',
      '',
      'PLAIN=value # trailing comment',
      'export EXPORTED=yes',
      "SINGLE='a # not a comment \\n'",
      'DOUBLE="line\\nnext \\"q\\""',
      'HASH=abc#def',
      'EMPTY=',
      '  SPACED  =  x  ',
    ].join('\n');
    expect(parseDotenv(text)).toEqual({
      PLAIN: 'value',
      EXPORTED: 'yes',
      SINGLE: 'a # not a comment \\n',
      DOUBLE: 'line\nnext "q"',
      HASH: 'abc#def',
      EMPTY: '',
      SPACED: 'x',
    });
  });

  it('names the line of a malformed entry', () => {
    expect(() => parseDotenv('OK=1\nnot a pair\n', '.env')).toThrow('.env:2: expected KEY=value');
    expect(() => parseDotenv('A="open', '.env')).toThrow('.env:1: unterminated double quote');
  });
});

describe('service plan', () => {
  it('runs the core services always and a gateway only with its credentials, saying what each idle one needs', () => {
    const plan = planServices({ MATTERMOST_URL: 'http://mm', MATTERMOST_TOKEN: 't', SLACK_BOT_TOKEN: 'x', FEISHU_APP_ID: 'a' }, repoRoot);
    expect(plan.run.filter((s) => s.core).map((s) => [s.name, s.port])).toEqual([
      ['pairing-service', 3001],
      ['admin-api', 3000],
    ]);
    const idle = Object.fromEntries(plan.idle.map((i) => [i.name, i.reason]));
    expect(idle['gateway-telegram']).toBe('set TELEGRAM_BOT_TOKEN to enable');
    expect(idle['gateway-slack']).toBe('set SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN with SLACK_MODE=socket) to enable');
    expect(idle['gateway-feishu']).toBe('set FEISHU_APP_SECRET to enable');
    expect(idle['gateway-line']).toBe('set LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN to enable');
    expect(plan.run.map((s) => s.name).concat(plan.idle.map((i) => i.name))).toContain('gateway-mattermost');
  });

  it('takes ports and connection ids from the environment and refuses a bad port', () => {
    const plan = planServices({ ADMIN_HTTP_PORT: '4000', LINE_CONNECTION_ID: 'line-jp' }, repoRoot);
    expect(plan.run.find((s) => s.name === 'admin-api')!.port).toBe(4000);
    expect(plan.connections).toContainEqual({ platform: 'line', id: 'line-jp' });
    expect(() => planServices({ PAIRING_HTTP_PORT: '70000' }, repoRoot)).toThrow('PAIRING_HTTP_PORT must be a TCP port');
  });

  it('gives a child only its own secrets', () => {
    const env = {
      PATH: '/bin',
      PAIRING_HMAC_SECRET: 'p',
      ADMIN_TOKEN_HASHES: 'a:b',
      SESSION_SECRET: 's',
      RPC_AUTH_SECRET: 'r',
      TELEGRAM_BOT_TOKEN: 'tg',
      DISCORD_BOT_TOKEN: 'dc',
      TWOKEY_NATS_PASSWORD_AGENT: 'pw',
      EMPTY: '',
    };
    const gw = childEnv({ name: 'gateway-telegram' }, env, { NATS_USER: 'gateway-telegram', HTTP_PORT: 3010 });
    expect(gw).toEqual({ PATH: '/bin', TELEGRAM_BOT_TOKEN: 'tg', NATS_USER: 'gateway-telegram', HTTP_PORT: '3010' });
    const admin = childEnv({ name: 'admin-api' }, env, {});
    expect(Object.keys(admin).sort()).toEqual(['ADMIN_TOKEN_HASHES', 'PATH', 'SESSION_SECRET']);
    expect(Object.keys(childEnv({ name: 'pairing-service' }, env, {})).sort()).toEqual(['PAIRING_HMAC_SECRET', 'PATH']);
    // RPC_AUTH_SECRET is shared by exactly two services: start.mjs hands it to each of them as an override (L2).
    expect(Object.keys(childEnv({ name: 'admin-api' }, env, { RPC_AUTH_SECRET: 'r' })).sort()).toEqual(['ADMIN_TOKEN_HASHES', 'PATH', 'RPC_AUTH_SECRET', 'SESSION_SECRET']);
  });
});

describe('npm start log lines', () => {
  it('shows a JSON log line as one readable line, and anything else as it is', () => {
    const line = JSON.stringify({ time: '2026-12-04T20:25:07.123Z', level: 'warn', service: 'admin-api', msg: 'projection lagging', behind: 12, connection: 'tele gram' });
    expect(humanLine(line)).toBe('20:25:07 WARN  projection lagging behind=12 connection="tele gram"');
    expect(humanLine('plain text from nats-server')).toBe('plain text from nats-server');
    expect(humanLine('{not json')).toBe('{not json');
    expect(humanLine('{"a":1}')).toBe('{"a":1}');
  });

  it('keeps the JSON with LOG_FORMAT=json (the containers\' format)', () => {
    const line = JSON.stringify({ time: '2026-12-04T20:25:07.123Z', level: 'info', service: 's', msg: 'm' });
    expect(formatterFor({ LOG_FORMAT: 'json' })(line)).toBe(line);
    expect(formatterFor({})(line)).toBe('20:25:07 INFO  m');
  });

  it('gives the reply capability key to the pairing-service and the gateways, never to the admin-api', () => {
    const env = { PATH: '/bin', REPLY_CAPABILITY_SECRET: 'r' };
    expect(childEnv({ name: 'pairing-service' }, env, {}).REPLY_CAPABILITY_SECRET).toBe('r');
    expect(childEnv({ name: 'gateway-line' }, env, {}).REPLY_CAPABILITY_SECRET).toBe('r');
    expect(childEnv({ name: 'admin-api' }, env, {}).REPLY_CAPABILITY_SECRET).toBeUndefined();
  });
});
