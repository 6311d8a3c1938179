import { createHash } from 'node:crypto';
import { GATEWAY_CONNECTION_TEST_TIMEOUT_MS } from '@twokey/contracts';
import { ConfigError } from '@twokey/service-kit';
import { loadAdminApiConfig } from './config';

const hash = (t: string) => createHash('sha256').update(t).digest('hex');
const base = { ADMIN_TOKEN_HASHES: `ada:${hash('t1')}`, SESSION_SECRET: 's'.repeat(32), RPC_AUTH_SECRET: 'r'.repeat(32) };

function problems(env: NodeJS.ProcessEnv): string[] {
  try {
    loadAdminApiConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems.map((p) => p.variable);
  }
  throw new Error('expected a ConfigError');
}

describe('admin-api configuration', () => {
  it('has the documented defaults', () => {
    const c = loadAdminApiConfig(base);
    expect(c).toMatchObject({ HTTP_PORT: 3000, TWOKEY_SUBJECT_PREFIX: 'twokey', READ_YOUR_WRITES_TIMEOUT_MS: 3000, TRUST_PROXY: false });
    expect(c.CONNECTIONS.map((x) => `${x.id}:${x.platform}`)).toEqual([
      'telegram:telegram', 'discord:discord', 'slack:slack', 'mattermost:mattermost', 'feishu:feishu', 'line:line',
    ]);
    expect(c.ADMIN_TOKEN_HASHES).toEqual([{ adminId: 'ada', sha256: Buffer.from(hash('t1'), 'hex') }]);
    expect(loadAdminApiConfig({ ADMIN_TOKEN_HASHES: base.ADMIN_TOKEN_HASHES, RPC_AUTH_SECRET: base.RPC_AUTH_SECRET }).SESSION_SECRET).toBeUndefined();
    expect(c.AUTH_FAILURES_PER_MINUTE).toBe(30);
    expect(c.CONNECTION_TEST_TIMEOUT_MS).toBe(10_000);
    expect(c.LOG_LEVEL).toBe('info');
  });

  it('validates LOG_LEVEL (a typo stops the start instead of logging at info)', () => {
    expect(problems({ ...base, LOG_LEVEL: 'verbose' })).toEqual(['LOG_LEVEL']);
    expect(loadAdminApiConfig({ ...base, LOG_LEVEL: 'warn' }).LOG_LEVEL).toBe('warn');
  });

  it('snapshots the read models by default, at a validated cadence', () => {
    const c = loadAdminApiConfig(base);
    expect([c.SNAPSHOTS, c.SNAPSHOT_EVERY_EVENTS, c.SNAPSHOT_EVERY_SECONDS]).toEqual([true, 10_000, 300]);
    expect(loadAdminApiConfig({ ...base, SNAPSHOTS: 'false' }).SNAPSHOTS).toBe(false);
    expect(problems({ ...base, SNAPSHOT_EVERY_EVENTS: '0', SNAPSHOT_EVERY_SECONDS: 'soon' })).toEqual(['SNAPSHOT_EVERY_EVENTS', 'SNAPSHOT_EVERY_SECONDS']);
  });

  it('waits for a connection test clearly longer than the gateway gives the platform', () => {
    // Otherwise a slow platform shows as "gateway did not answer" instead of the platform's own error.
    expect(loadAdminApiConfig(base).CONNECTION_TEST_TIMEOUT_MS - GATEWAY_CONNECTION_TEST_TIMEOUT_MS).toBeGreaterThanOrEqual(1000);
  });

  it('parses several admins, named connections and proxy trust', () => {
    const c = loadAdminApiConfig({
      ...base,
      ADMIN_TOKEN_HASHES: `ada:${hash('a')}, grace@example.org:${hash('b').toUpperCase()}`,
      CONNECTIONS: 'support-bot:telegram,slack',
      TRUST_PROXY: '1',
    });
    expect(c.ADMIN_TOKEN_HASHES.map((h) => h.adminId)).toEqual(['ada', 'grace@example.org']);
    expect(c.CONNECTIONS).toEqual([{ id: 'support-bot', platform: 'telegram' }, { id: 'slack', platform: 'slack' }]);
    expect(c.TRUST_PROXY).toBe(1);
  });

  it.each([
    [{ ADMIN_TOKEN_HASHES: undefined }, 'ADMIN_TOKEN_HASHES'],
    [{ ADMIN_TOKEN_HASHES: ' , ' }, 'ADMIN_TOKEN_HASHES'],
    [{ ADMIN_TOKEN_HASHES: 'ada:plaintext-token' }, 'ADMIN_TOKEN_HASHES'],
    [{ SESSION_SECRET: 'short' }, 'SESSION_SECRET'],
    [{ CONNECTIONS: 'tg:icq' }, 'CONNECTIONS'],
    [{ CONNECTIONS: 'telegram,telegram' }, 'CONNECTIONS'],
    [{ HTTP_PORT: 'http' }, 'HTTP_PORT'],
  ])('names the bad variable (%#)', (override, variable) => {
    expect(problems({ ...base, ...override })).toContain(variable);
  });
});
