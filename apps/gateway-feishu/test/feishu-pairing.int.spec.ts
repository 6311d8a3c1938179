/**
 * End to end: encrypted, signed Feishu callbacks → gateway-feishu → NATS → the real pairing-service (in process).
 * Silent denial is asserted on the fake's call log; admission on `<prefix>.admitted.feishu`.
 */
import { JsonLogger } from '@twokey/service-kit';
import { FakeFeishu, MessageEventInput } from '@twokey/test-support/fakes/feishu';
import { admittedWithId, inConversation, PairingEndToEnd, startPairingEndToEnd } from '@twokey/test-support/pairing-e2e';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the end-to-end test runs the real pairing-service in process
import { createPairingService } from '../../pairing-service/src/pairing-service';
import { FeishuAdapter } from '../src/feishu-adapter';

const APP_ID = 'cli_9f5343c580712544';
const APP_SECRET = 'feishu-app-secret-0123';
const VERIFICATION = 'verification-token-0123';
const ENCRYPT_KEY = 'encrypt-key-0123456789';
const alice = { open_id: 'ou_alice000000000000000000000000', name: 'Alice Wang' };
const mallory = { open_id: 'ou_mallory0000000000000000000000', name: 'Mallory' };
const GROUP = 'oc_group00000000000000000000000000';

const quiet = new JsonLogger('test', 'error', { write: () => undefined });

describe('gateway-feishu with the pairing-service (end to end)', () => {
  let fake: FakeFeishu;
  let e2e: PairingEndToEnd;
  let url: string;

  beforeAll(async () => {
    fake = await FakeFeishu.start({ appId: APP_ID, appSecret: APP_SECRET, verificationToken: VERIFICATION, users: [alice, mallory] });
    e2e = await startPairingEndToEnd({
      platform: 'feishu',
      createPairingService,
      adapter: () =>
        new FeishuAdapter({
          connection: 'feishu',
          appId: APP_ID,
          appSecret: APP_SECRET,
          domain: fake.url,
          mode: 'webhook',
          verificationToken: VERIFICATION,
          encryptKey: ENCRYPT_KEY,
          logger: quiet,
        }),
    });
    url = `${e2e.gw.httpUrl}/feishu/events`;
  });

  afterAll(async () => {
    await e2e?.stop();
    await fake?.close();
  });

  const dmOf = (u: { open_id: string }) => `oc_dm_${u.open_id.slice(3, 12)}`;
  async function say(input: Omit<MessageEventInput, 'chatId'> & { chatId?: string }) {
    const e = fake.messageEvent({ chatId: input.chatType === 'p2p' ? dmOf({ open_id: input.openId }) : GROUP, ...input });
    const res = await fake.deliver(url, e, { encryptKey: ENCRYPT_KEY });
    expect(res.status).toBe(200);
    return e;
  }
  const idOf = (e: Awaited<ReturnType<typeof say>>) => e.event.message.message_id;

  it("denies a stranger's p2p and group messages silently: zero IM calls", async () => {
    await say({ chatType: 'p2p', openId: mallory.open_id, text: 'let me in' });
    await say({ chatType: 'group', openId: mallory.open_id, text: '@_user_1 hi' });
    const d1 = await e2e.denied(inConversation(dmOf(mallory)));
    expect(d1.data).toMatchObject({ reason: 'user-not-allowlisted', actor: { id: mallory.open_id, displayName: 'Mallory' } });
    const d2 = await e2e.denied(inConversation(GROUP));
    expect(d2.data.space).toEqual({ id: GROUP, kind: 'feishu-group' });
    expect(fake.userFacingCalls()).toEqual([]);
    expect(e2e.admitted.items).toEqual([]);
  });

  it('pairs a user in p2p, then admits a message pushed twice once', async () => {
    const observed = await e2e.pair(
      'user',
      (code) => say({ chatType: 'p2p', openId: alice.open_id, text: code }),
      (e) => e.data.actor.id === alice.open_id,
    );
    expect(observed.data.actor).toEqual({ id: alice.open_id, displayName: 'Alice Wang' });

    const e = await say({ chatType: 'p2p', openId: alice.open_id, text: 'hello agent' });
    expect((await fake.deliver(url, e, { encryptKey: ENCRYPT_KEY })).status).toBe(200);
    const m = await e2e.admitted.waitFor(admittedWithId(idOf(e)));
    expect(m.data.message).toMatchObject({ actor: { id: alice.open_id }, conversation: { id: dmOf(alice), kind: 'dm' }, text: 'hello agent' });
    const next = await say({ chatType: 'p2p', openId: alice.open_id, text: 'second' });
    await e2e.admitted.waitFor(admittedWithId(idOf(next)));
    expect(e2e.admitted.items.filter(admittedWithId(idOf(e)))).toHaveLength(1);
  });

  it("pairs the group as a space through the paired user, then admits her group messages (and still not the stranger's)", async () => {
    const observed = await e2e.pair(
      'space',
      (code) => say({ chatType: 'group', openId: alice.open_id, text: code }),
      (e) => e.data.purpose === 'space',
    );
    expect(observed.data.space).toEqual({ id: GROUP, kind: 'feishu-group' });

    const e = await say({ chatType: 'group', openId: alice.open_id, text: 'group hello', rootId: 'om_root0000000000000000000000000' });
    const m = await e2e.admitted.waitFor(admittedWithId(idOf(e)));
    expect(m.data.message.conversation).toEqual({ id: GROUP, kind: 'group', threadId: 'om_root0000000000000000000000000' });
    const stranger = await say({ chatType: 'group', openId: mallory.open_id, text: 'me too' });
    await e2e.denied((d) => d.data.actor.id === mallory.open_id && d.data.lastSeenAt >= new Date(Number(stranger.event.message.create_time)).toISOString());
    expect(e2e.admitted.items.filter((x) => x.data.message.actor.id === mallory.open_id)).toEqual([]);
    expect(fake.userFacingCalls()).toEqual([]);
    expect(e2e.fatal).toEqual([]);
  });
});
