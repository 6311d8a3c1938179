/**
 * SESSION_IDLE_MINUTES: a session nobody used for that long is closed (the status counts it no more), and the
 * next message of its thread is still answered. Also the bridge's /metrics, by the convention of every service.
 */
import { AgentStatus } from '@twokey/contracts';
import { rpcRequest } from '@twokey/messaging';
import { until, untilAsync } from '@twokey/test-support/gateway-harness';
import { admitted, BridgeRig, startBridgeRig } from './bridge-rig';

describe('agent bridge: idle sessions', () => {
  let rig: BridgeRig;
  const status = () => rpcRequest(rig.nc, rig.s.rpcAgent('status'), {}, AgentStatus);

  beforeAll(async () => {
    // 0.02 min = 1.2 s: fractions of a minute are accepted so this runs in seconds.
    rig = await startBridgeRig({ SESSION_IDLE_MINUTES: '0.02' });
  });
  afterAll(async () => {
    await rig?.stop();
  });

  it('closes a session idle for SESSION_IDLE_MINUTES; the next message of the thread is answered', async () => {
    await rig.admit(admitted('hello idle', { actorId: '7101' }));
    await until(() => rig.texts('7101').some((t) => t.includes('hello idle')), 15_000);
    expect((await status()).sessions).toBe(1);
    await untilAsync(async () => (await status()).sessions === 0, 10_000, 'the idle session closed');
    await rig.admit(admitted('back again', { actorId: '7101' }));
    await until(() => rig.texts('7101').some((t) => t.includes('back again')), 15_000);
    expect((await status()).sessions).toBe(1);
  });

  it("serves /metrics by the services' convention: build info and the backlog of its own consumers", async () => {
    const text = await (await fetch(`http://127.0.0.1:${rig.bridge.port}/metrics`)).text();
    expect(text).toMatch(/^twokey_build_info\{service="agent-bridge",version="[^"]+",node="v\d+[^"]*"\} 1$/m);
    expect(text).toMatch(new RegExp(`^twokey_consumer_pending\\{stream="${rig.s.streams.admitted}",consumer="agent"\\} \\d+$`, 'm'));
    expect(text).toMatch(/^twokey_agent_sessions \d+$/m);
  });
});
