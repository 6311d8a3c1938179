/**
 * Issue 19, space titles: a LINE group's title (its summary) is asked of the gateway only when an admin looks,
 * after the pairing-service decided; a denied stranger's message costs LINE no call. The real LINE gateway against
 * the LINE fake, the real pairing-service and admin-api.
 */
import type { ConnectionTestResult, Platform } from '@twokey/contracts';
import type { InboundSink, PlatformAdapter } from '@twokey/gateway-kit';
import { JsonLogger } from '@twokey/service-kit';
import { FakeLine } from '@twokey/test-support/fakes/line';
import { GatewayUnderTest, startGatewayUnderTest, TEST_PROFILE } from '@twokey/test-support/gateway-harness';
import { PairingProbe } from '@twokey/test-support/pairing-probe';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the real LINE adapter, as its gateway runs it
import { LineAdapter } from '../../gateway-line/src/line-adapter';
import { eventually, Stack, startStack } from './stack';

const SECRET = 'line-channel-secret-titles';
const TOKEN = 'line-channel-access-token-titles';
const alice = { userId: 'U' + 'a'.repeat(32), displayName: 'Alice' };
const mallory = { userId: 'U' + 'm'.repeat(32), displayName: 'Mallory' };
const STRANGERS_GROUP = 'C' + '4'.repeat(32);
const TEA = 'C' + '5'.repeat(32);
const quiet = new JsonLogger('test', 'error', { write: () => undefined });

interface AttentionItem { connection: string; spaceId?: string; spaceTitle?: string; reason: string }
interface Observation { observationId: string; space?: { id: string; title?: string }; conversation: { id: string; title?: string } }

/** A platform whose title look-up never answers: the admin's page must not wait for it. */
class SilentTitles implements PlatformAdapter {
  readonly profile = TEST_PROFILE;
  asked: string[] = [];
  constructor(readonly platform: Platform) {}
  async start(_sink: InboundSink) {}
  async stop() {}
  async send(): Promise<string> {
    throw new Error('not used');
  }
  async connectionTest(): Promise<ConnectionTestResult> {
    return { ok: true, bot: { id: 'B1', name: 'stub' }, latencyMs: 1 };
  }
  spaceTitle(spaceId: string): Promise<string | undefined> {
    this.asked.push(spaceId);
    return new Promise(() => undefined);
  }
}

describe('space titles in the admin view, never before the decision', () => {
  let s: Stack;
  let fake: FakeLine;
  let line: GatewayUnderTest;
  let feishu: GatewayUnderTest;
  const silent = new SilentTitles('feishu');
  const summaryCalls = () => fake.log.filter((c) => /^\/v2\/bot\/group\/[^/]+\/summary$/.test(c.path));

  beforeAll(async () => {
    s = await startStack();
    fake = await FakeLine.start({ channelAccessToken: TOKEN, profiles: [alice, mallory] });
    fake.groups.set(STRANGERS_GROUP, { groupId: STRANGERS_GROUP, groupName: 'Night market' });
    fake.groups.set(TEA, { groupId: TEA, groupName: 'Tea party' });
    line = await startGatewayUnderTest({
      nats: s.nats,
      platform: 'line',
      adapter: new LineAdapter({ connection: 'line', channelSecret: SECRET, channelAccessToken: TOKEN, apiBaseUrl: fake.url, logger: quiet }),
      logger: quiet,
    });
    feishu = await startGatewayUnderTest({ nats: s.nats, platform: 'feishu', adapter: silent, logger: quiet });
  });
  afterAll(async () => {
    await line?.stop();
    await feishu?.stop();
    await fake?.close();
    await s?.close();
  });

  it("a denied stranger in an untitled LINE group costs no summary call; Attention later shows the group's title", async () => {
    const e = fake.textEvent({ source: { type: 'group', groupId: STRANGERS_GROUP, userId: mallory.userId }, text: 'hello bot' });
    expect((await fake.deliver(`${line.httpUrl}/line/webhook`, fake.webhookBody([e]), { channelSecret: SECRET })).status).toBe(200);
    const denied = await new PairingProbe(s.nc, s.nats.prefix).waitForEvent('line', 'MessageDenied', (d) => d.data.conversation.id === STRANGERS_GROUP);
    expect(denied.data.space).toEqual({ id: STRANGERS_GROUP, kind: 'line-group' });
    expect(summaryCalls()).toEqual([]);
    expect(fake.userFacingCalls()).toEqual([]);

    const page = await s.json<{ items: AttentionItem[] }>('GET', '/api/v1/activity?connection=line');
    expect(page.status).toBe(200);
    expect(page.body.items.find((i) => i.spaceId === STRANGERS_GROUP)).toMatchObject({ spaceTitle: 'Night market' });
    expect(summaryCalls()).toHaveLength(1);
    // Cached: the next look costs neither the gateway's platform nor (within the TTL) the gateway.
    await s.json('GET', '/api/v1/activity?connection=line');
    expect(summaryCalls()).toHaveLength(1);
  });

  it('the pairing row and the spaces list show a LINE group by its title', async () => {
    expect((await s.json('POST', '/api/v1/connections/line/users', { id: alice.userId, displayName: alice.displayName })).status).toBe(201);
    const issued = await s.json<{ code: string }>('POST', '/api/v1/connections/line/pairing-tokens', { purpose: 'space' });
    expect(issued.status).toBe(201);
    await s.inbound({ connection: 'line', actor: { id: alice.userId, displayName: alice.displayName }, conversation: { id: TEA, kind: 'group' }, space: { id: TEA, kind: 'line-group' }, text: issued.body.code });
    const observation = await eventually(async () => {
      const r = await s.json<{ observations: Observation[] }>('GET', '/api/v1/connections/line/pairing');
      return r.body.observations.find((o) => o.space?.id === TEA);
    }, 8_000, 'the observation');
    expect(observation.space).toMatchObject({ id: TEA, title: 'Tea party' });
    expect(observation.conversation).toMatchObject({ id: TEA, title: 'Tea party' });

    expect((await s.json('POST', `/api/v1/connections/line/observations/${observation.observationId}/approve`)).status).toBe(200);
    const spaces = await s.json<{ items: { id: string; title?: string }[] }>('GET', '/api/v1/connections/line/spaces');
    expect(spaces.body.items.find((x) => x.id === TEA)).toMatchObject({ title: 'Tea party' });
  });

  it('a gateway that does not say a title in time: the page is served without it', async () => {
    await s.inbound({ connection: 'feishu', actor: { id: 'ou_stranger', displayName: 'Stranger' }, conversation: { id: 'oc_quiet', kind: 'group' }, space: { id: 'oc_quiet', kind: 'feishu-group' }, text: 'hi' });
    const item = await eventually(async () => {
      const r = await s.json<{ items: AttentionItem[] }>('GET', '/api/v1/activity?connection=feishu');
      return r.body.items.find((i) => i.spaceId === 'oc_quiet');
    }, 8_000, 'the denial in Attention');
    expect(item.spaceTitle).toBeUndefined();
    expect(silent.asked).toContain('oc_quiet');
  });
});
