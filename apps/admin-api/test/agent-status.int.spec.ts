/** GET /api/v1/agent: the agent bridge's own status over NATS (twokey.rpc.agent.status), or running:false. */
import { SCRIPTED_AGENT_JS } from '@twokey/test-support/fakes/acp';
import { JsonLogger } from '@twokey/service-kit';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the real agent bridge, in process
import { AgentBridge, createAgentBridge } from '../../agent-bridge/src/agent-bridge';
// eslint-disable-next-line @nx/enforce-module-boundaries -- its configuration, from the same variables as in production
import { loadAgentBridgeConfig } from '../../agent-bridge/src/config';
import { Stack, startStack } from './stack';

describe('GET /api/v1/agent', () => {
  let s: Stack;
  let bridge: AgentBridge | undefined;

  beforeAll(async () => {
    s = await startStack({}, { pairingService: false });
  });
  afterAll(async () => {
    await bridge?.stop();
    await s?.close();
  });

  it('says running:false while no bridge answers', async () => {
    const r = await s.json<{ running: boolean; status: unknown }>('GET', '/api/v1/agent');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ running: false, status: null });
  });

  it("shows the bridge's status: mode, scope, processes, sessions", async () => {
    bridge = createAgentBridge(
      loadAgentBridgeConfig({
        NATS_URL: s.nats.url,
        TWOKEY_SUBJECT_PREFIX: s.nats.prefix,
        HTTP_PORT: '0',
        HTTP_HOST: '127.0.0.1',
        AGENT_COMMAND: `${process.execPath} ${SCRIPTED_AGENT_JS}`,
        SESSION_SCOPE: 'conversation',
        AGENT_MAX_PROCESSES: '2',
      }),
      { logger: new JsonLogger('test', 'error', { write: () => undefined }) },
    );
    await bridge.start();
    const r = await s.json<{ running: boolean; status: Record<string, unknown> }>('GET', '/api/v1/agent');
    expect(r.status).toBe(200);
    expect(r.body.running).toBe(true);
    expect(r.body.status).toMatchObject({ mode: 'acp', auth: 'unknown', sessionScope: 'conversation', processes: { running: 0, max: 2 }, sessions: 0, runningTurns: 0, queueDepth: 0 });
  });
});
