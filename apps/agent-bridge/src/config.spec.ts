import { configHelp } from '@twokey/service-kit';
import { AgentBridgeEnv, loadAgentBridgeConfig } from './config';

describe('agent-bridge config', () => {
  it('defaults to idle (no agent), thread scope, 10 min max age and permission timeout', () => {
    const c = loadAgentBridgeConfig({ AGENT_WORKDIR: '/srv/work' });
    expect(c.target).toEqual({ mode: 'none' });
    expect(c).toMatchObject({ sessionScope: 'thread', maxAgeMs: 600_000, permissionTimeoutMs: 600_000, workdir: '/srv/work', toolUpdates: 'summary' });
  });

  it('reads durations as seconds or with a unit, the command line like a shell, and approvers', () => {
    const c = loadAgentBridgeConfig({ AGENT_COMMAND: `codex-acp --flag 'a b'`, AGENT_MAX_AGE: '90', PERMISSION_TIMEOUT: '2m', APPROVERS: 'telegram:42, 77', AGENT_WORKDIR: '/w' });
    expect(c.target).toEqual({ mode: 'acp', command: ['codex-acp', '--flag', 'a b'] });
    expect(c.maxAgeMs).toBe(90_000);
    expect(c.permissionTimeoutMs).toBe(120_000);
    expect(c.approvers).toEqual([{ connection: 'telegram', userId: '42' }, { userId: '77' }]);
  });

  it("refuses to pass the bridge's own credentials to the agent, and both agent kinds at once", () => {
    expect(() => loadAgentBridgeConfig({ AGENT_COMMAND: 'x', AGENT_ENV: 'CODEX_API_KEY,NATS_PASSWORD', AGENT_WORKDIR: '/w' })).toThrow(/AGENT_ENV/);
    expect(() => loadAgentBridgeConfig({ AGENT_COMMAND: 'x', AGENT_ENV: 'TELEGRAM_BOT_TOKEN', AGENT_WORKDIR: '/w' })).toThrow(/AGENT_ENV/);
    expect(() => loadAgentBridgeConfig({ AGENT_COMMAND: 'x', AGENT_WEBHOOK_URL: 'http://a/b', AGENT_WEBHOOK_SECRET: 's'.repeat(32), AGENT_WORKDIR: '/w' })).toThrow(/not both/);
    expect(() => loadAgentBridgeConfig({ AGENT_WEBHOOK_URL: 'http://a/b', AGENT_WORKDIR: '/w' })).toThrow(/AGENT_WEBHOOK_SECRET/);
    expect(() => loadAgentBridgeConfig({ AGENT_MAX_AGE: 'soon', AGENT_WORKDIR: '/w' })).toThrow(/AGENT_MAX_AGE/);
  });

  it('treats an empty variable as unset', () => {
    expect(loadAgentBridgeConfig({ AGENT_COMMAND: '', AGENT_WEBHOOK_URL: '', AGENT_WORKDIR: '/w' }).target).toEqual({ mode: 'none' });
  });

  it('lists the design variables in --help', () => {
    const help = configHelp('agent-bridge', 'x', AgentBridgeEnv);
    for (const v of ['AGENT_COMMAND', 'AGENT_ENV', 'AGENT_WORKDIR', 'AGENT_WEBHOOK_URL', 'SESSION_SCOPE', 'AGENT_MAX_AGE', 'PERMISSION_TIMEOUT', 'APPROVERS']) expect(help).toContain(v);
    expect(help).toMatch(/SESSION_SCOPE\s+default thread \(one of thread, conversation, user\)/);
    expect(help).toMatch(/AGENT_COMMAND\s+optional/);
  });
});
