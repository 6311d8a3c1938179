/**
 * End to end: signed LINE webhooks → gateway-line → NATS → the real pairing-service (in process).
 * Silent denial is asserted on the fake's call log; admission on `<prefix>.admitted.line`.
 */
import { AdmittedMessage } from '@twokey/contracts';
import { JsonLogger } from '@twokey/service-kit';
import { NatsHarness, startNats } from '@twokey/test-support';
import { FakeLine, LineSource } from '@twokey/test-support/fakes/line';
import { GatewayUnderTest, startGatewayUnderTest } from '@twokey/test-support/gateway-harness';
import { PairingProbe, pairingTestConfig } from '@twokey/test-support/pairing-probe';
import { collectStream, Collected, StoredMessage } from '@twokey/test-support/stream-collector';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the end-to-end test runs the real pairing-service in process
import { createPairingService, PairingService } from '../../pairing-service/src/pairing-service';
import { LineAdapter } from '../src/line-adapter';

const SECRET = 'line-channel-secret-0123';
const TOKEN = 'line-channel-access-token-0123';
const alice = { userId: 'U' + 'a'.repeat(32), displayName: 'Alice' };
const mallory = { userId: 'U' + 'm'.repeat(32), displayName: 'Mallory' };
const GROUP = 'C' + '1'.repeat(32);

const quiet = new JsonLogger('test', 'error', { write: () => undefined });

describe('gateway-line with the pairing-service (end to end)', () => {
  let nats: NatsHarness;
  let pairing: PairingService;
  let fake: FakeLine;
  let gut: GatewayUnderTest;
  let probe: PairingProbe;
  let admitted: Collected<StoredMessage<AdmittedMessage>>;
  let webhook: string;
  const fatal: Error[] = [];

  beforeAll(async () => {
    nats = await startNats();
    pairing = createPairingService(pairingTestConfig(nats), { logger: quiet, onFatal: (e) => void fatal.push(e) });
    await pairing.start();
    fake = await FakeLine.start({ channelAccessToken: TOKEN, profiles: [alice, mallory] });
    fake.addMember(GROUP, { userId: alice.userId, displayName: 'Alice in the group' });
    const adapter = new LineAdapter({ connection: 'line', channelSecret: SECRET, channelAccessToken: TOKEN, apiBaseUrl: fake.url, logger: quiet });
    gut = await startGatewayUnderTest({ nats, platform: 'line', adapter, logger: quiet });
    webhook = `${gut.httpUrl}/line/webhook`;
    probe = new PairingProbe(gut.nc, nats.prefix);
    admitted = await collectStream<AdmittedMessage>(gut.nc, gut.subjects.streams.admitted, gut.subjects.admitted('line'));
  });

  afterAll(async () => {
    await admitted?.stop();
    await gut?.stop();
    await pairing?.stop();
    await fake?.close();
    await nats?.dispose();
  });

  /** Delivers one text message through a signed webhook; returns the event. */
  async function say(source: LineSource, text: string, redelivery = false) {
    const e = fake.textEvent({ source, text, redelivery });
    const res = await fake.deliver(webhook, fake.webhookBody([e]), { channelSecret: SECRET });
    expect(res.status).toBe(200);
    return e;
  }
  const admittedId = (id: string) => (m: StoredMessage<AdmittedMessage>) => m.data.message.platformMessageId === id;
  const dm = (u: { userId: string }): LineSource => ({ type: 'user', userId: u.userId });
  const inGroup = (u: { userId: string }): LineSource => ({ type: 'group', groupId: GROUP, userId: u.userId });

  it("denies a stranger's 1:1 and group messages silently: zero push or reply calls", async () => {
    await say(dm(mallory), 'let me in');
    await say(inGroup(mallory), 'hey bot');
    const d1 = await probe.waitForEvent('line', 'MessageDenied', (e) => e.data.conversation.id === mallory.userId);
    expect(d1.data).toMatchObject({ reason: 'user-not-allowlisted', actor: { id: mallory.userId, displayName: 'Mallory' } });
    const d2 = await probe.waitForEvent('line', 'MessageDenied', (e) => e.data.conversation.id === GROUP);
    expect(d2.data.space).toEqual({ id: GROUP, kind: 'line-group' });
    expect(fake.userFacingCalls()).toEqual([]);
    expect(admitted.items).toEqual([]);
  });

  it('pairs a user in the 1:1 chat, then admits a redelivered message once', async () => {
    const { code } = await probe.issueToken('line', 'user');
    await say(dm(alice), `/pair ${code}`);
    const observed = await probe.waitForEvent('line', 'TokenObserved', (e) => e.data.actor.id === alice.userId);
    expect(observed.data.actor).toEqual({ id: alice.userId, displayName: 'Alice' });
    await probe.approve('line', observed.data.observationId);

    const e = await say(dm(alice), 'hello agent');
    const again = fake.webhookBody([{ ...e, deliveryContext: { isRedelivery: true } }]);
    expect((await fake.deliver(webhook, again, { channelSecret: SECRET })).status).toBe(200);
    const m = await admitted.waitFor(admittedId(e.message.id));
    expect(m.data.message).toMatchObject({ actor: { id: alice.userId }, conversation: { id: alice.userId, kind: 'dm' }, text: 'hello agent' });
    const next = await say(dm(alice), 'second');
    await admitted.waitFor(admittedId(next.message.id));
    expect(admitted.items.filter(admittedId(e.message.id))).toHaveLength(1);
  });

  it("pairs the group as a space through the paired user, then admits her group messages (and still not the stranger's)", async () => {
    const { code } = await probe.issueToken('line', 'space');
    await say(inGroup(alice), code);
    const observed = await probe.waitForEvent('line', 'TokenObserved', (e) => e.data.purpose === 'space');
    expect(observed.data.space).toEqual({ id: GROUP, kind: 'line-group' });
    await probe.approve('line', observed.data.observationId);

    const e = await say(inGroup(alice), 'group hello');
    const m = await admitted.waitFor(admittedId(e.message.id));
    expect(m.data.message.actor.displayName).toBe('Alice in the group');
    const stranger = await say(inGroup(mallory), 'me too');
    await probe.waitForEvent('line', 'MessageDenied', (d) => d.data.actor.id === mallory.userId && d.data.count >= 1 && d.data.lastSeenAt >= new Date(stranger.timestamp).toISOString());
    expect(admitted.items.filter((x) => x.data.message.actor.id === mallory.userId)).toEqual([]);
    expect(fake.userFacingCalls()).toEqual([]);
    expect(fatal).toEqual([]);
  });
});
