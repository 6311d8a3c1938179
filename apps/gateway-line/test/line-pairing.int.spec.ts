/**
 * End to end: signed LINE webhooks → gateway-line → NATS → the real pairing-service (in process).
 * Silent denial is asserted on the fake's call log; admission on `<prefix>.admitted.line`.
 */
import { JsonLogger } from '@twokey/service-kit';
import { FakeLine, LineSource } from '@twokey/test-support/fakes/line';
import { admittedWithId, inConversation, PairingEndToEnd, startPairingEndToEnd } from '@twokey/test-support/pairing-e2e';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the end-to-end test runs the real pairing-service in process
import { createPairingService } from '../../pairing-service/src/pairing-service';
import { LineAdapter } from '../src/line-adapter';

const SECRET = 'line-channel-secret-0123';
const TOKEN = 'line-channel-access-token-0123';
const alice = { userId: 'U' + 'a'.repeat(32), displayName: 'Alice' };
const mallory = { userId: 'U' + 'm'.repeat(32), displayName: 'Mallory' };
const GROUP = 'C' + '1'.repeat(32);

const quiet = new JsonLogger('test', 'error', { write: () => undefined });

describe('gateway-line with the pairing-service (end to end)', () => {
  let fake: FakeLine;
  let e2e: PairingEndToEnd;
  let webhook: string;

  beforeAll(async () => {
    fake = await FakeLine.start({ channelAccessToken: TOKEN, profiles: [alice, mallory] });
    fake.addMember(GROUP, { userId: alice.userId, displayName: 'Alice in the group' });
    e2e = await startPairingEndToEnd({
      platform: 'line',
      createPairingService,
      adapter: () => new LineAdapter({ connection: 'line', channelSecret: SECRET, channelAccessToken: TOKEN, apiBaseUrl: fake.url, logger: quiet }),
    });
    webhook = `${e2e.gw.httpUrl}/line/webhook`;
  });

  afterAll(async () => {
    await e2e?.stop();
    await fake?.close();
  });

  /** Delivers one text message through a signed webhook; returns the event. */
  async function say(source: LineSource, text: string, redelivery = false) {
    const e = fake.textEvent({ source, text, redelivery });
    const res = await fake.deliver(webhook, fake.webhookBody([e]), { channelSecret: SECRET });
    expect(res.status).toBe(200);
    return e;
  }
  const dm = (u: { userId: string }): LineSource => ({ type: 'user', userId: u.userId });
  const inGroup = (u: { userId: string }): LineSource => ({ type: 'group', groupId: GROUP, userId: u.userId });

  it("denies a stranger's 1:1 and group messages silently: zero push or reply calls", async () => {
    await say(dm(mallory), 'let me in');
    await say(inGroup(mallory), 'hey bot');
    const d1 = await e2e.denied(inConversation(mallory.userId));
    expect(d1.data).toMatchObject({ reason: 'user-not-allowlisted', actor: { id: mallory.userId, displayName: 'Mallory' } });
    const d2 = await e2e.denied(inConversation(GROUP));
    expect(d2.data.space).toEqual({ id: GROUP, kind: 'line-group' });
    expect(fake.userFacingCalls()).toEqual([]);
    expect(e2e.admitted.items).toEqual([]);
  });

  it('pairs a user in the 1:1 chat, then admits a redelivered message once', async () => {
    const observed = await e2e.pair(
      'user',
      (code) => say(dm(alice), `/pair ${code}`),
      (e) => e.data.actor.id === alice.userId,
    );
    expect(observed.data.actor).toEqual({ id: alice.userId, displayName: 'Alice' });

    const e = await say(dm(alice), 'hello agent');
    const again = fake.webhookBody([{ ...e, deliveryContext: { isRedelivery: true } }]);
    expect((await fake.deliver(webhook, again, { channelSecret: SECRET })).status).toBe(200);
    const m = await e2e.admitted.waitFor(admittedWithId(e.message.id));
    expect(m.data.message).toMatchObject({ actor: { id: alice.userId }, conversation: { id: alice.userId, kind: 'dm' }, text: 'hello agent' });
    const next = await say(dm(alice), 'second');
    await e2e.admitted.waitFor(admittedWithId(next.message.id));
    expect(e2e.admitted.items.filter(admittedWithId(e.message.id))).toHaveLength(1);
  });

  it("pairs the group as a space through the paired user, then admits her group messages (and still not the stranger's)", async () => {
    const observed = await e2e.pair(
      'space',
      (code) => say(inGroup(alice), code),
      (e) => e.data.purpose === 'space',
    );
    expect(observed.data.space).toEqual({ id: GROUP, kind: 'line-group' });

    const e = await say(inGroup(alice), 'group hello');
    const m = await e2e.admitted.waitFor(admittedWithId(e.message.id));
    expect(m.data.message.actor.displayName).toBe('Alice in the group');
    const stranger = await say(inGroup(mallory), 'me too');
    await e2e.denied((d) => d.data.actor.id === mallory.userId && d.data.count >= 1 && d.data.lastSeenAt >= new Date(stranger.timestamp).toISOString());
    expect(e2e.admitted.items.filter((x) => x.data.message.actor.id === mallory.userId)).toEqual([]);
    expect(fake.userFacingCalls()).toEqual([]);
    expect(e2e.fatal).toEqual([]);
  });
});
