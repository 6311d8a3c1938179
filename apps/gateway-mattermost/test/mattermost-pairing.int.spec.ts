/**
 * End to end: fake Mattermost → gateway-mattermost → NATS → the real pairing-service (in process).
 * Silent denial is asserted on the fake's call log; admission on `<prefix>.admitted.mattermost`.
 */
import { JsonLogger } from '@twokey/service-kit';
import { FakeMattermost, MattermostChannel } from '@twokey/test-support/fakes/mattermost';
import { admittedWithId, inConversation, PairingEndToEnd, startPairingEndToEnd } from '@twokey/test-support/pairing-e2e';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the end-to-end test runs the real pairing-service in process
import { createPairingService } from '../../pairing-service/src/pairing-service';
import { MattermostAdapter } from '../src/mattermost-adapter';

const TOKEN = 'mm-bot-token-0123456789';
const bot = { id: 'botuser0000000000000000000', username: 'twokey', is_bot: true };
const alice = { id: 'alice000000000000000000000', username: 'alice', first_name: 'Alice', last_name: 'Liddell' };
const mallory = { id: 'mallory00000000000000000000', username: 'mallory' };
const aliceDm: MattermostChannel = { id: 'dmalice0000000000000000000', type: 'D', team_id: '', name: `${alice.id}__${bot.id}`, display_name: '@alice' };
const malloryDm: MattermostChannel = { id: 'dmmallory00000000000000000', type: 'D', team_id: '', name: `${mallory.id}__${bot.id}`, display_name: '@mallory' };
const town: MattermostChannel = { id: 'townsquare0000000000000000', type: 'O', team_id: 'team00000000000000000000000', name: 'town-square', display_name: 'Town Square' };

const quiet = new JsonLogger('test', 'error', { write: () => undefined });

describe('gateway-mattermost with the pairing-service (end to end)', () => {
  let fake: FakeMattermost;
  let e2e: PairingEndToEnd;

  beforeAll(async () => {
    fake = await FakeMattermost.start({ token: TOKEN, bot, users: [alice, mallory], channels: [aliceDm, malloryDm, town] });
    e2e = await startPairingEndToEnd({
      platform: 'mattermost',
      createPairingService,
      adapter: () => new MattermostAdapter({ connection: 'mattermost', baseUrl: fake.url, token: TOKEN, logger: quiet }),
    });
    await fake.waitForSockets(1);
  });

  afterAll(async () => {
    await e2e?.stop();
    await fake?.close();
  });

  it("denies a stranger's DM and space message silently: zero calls a user would notice", async () => {
    fake.userPosts({ userId: mallory.id, channelId: malloryDm.id, message: 'let me in' });
    fake.userPosts({ userId: mallory.id, channelId: town.id, message: '@twokey do something' });
    const dmDenial = await e2e.denied(inConversation(malloryDm.id));
    expect(dmDenial.data).toMatchObject({ reason: 'user-not-allowlisted', actor: { id: mallory.id }, count: 1 });
    const spaceDenial = await e2e.denied(inConversation(town.id));
    expect(spaceDenial.data).toMatchObject({ reason: 'user-not-allowlisted', space: { id: town.team_id, kind: 'mattermost-team' } });
    expect(fake.userFacingCalls()).toEqual([]);
    expect(e2e.admitted.items).toEqual([]);
  });

  it("pairs a user by DM, then admits the user's messages once each, even when delivered twice", async () => {
    const observed = await e2e.pair(
      'user',
      (code) => fake.userPosts({ userId: alice.id, channelId: aliceDm.id, message: code }),
      (e) => e.data.actor.id === alice.id,
    );
    expect(observed.data.actor).toEqual({ id: alice.id, displayName: 'Alice Liddell', username: 'alice' });
    expect(observed.data.conversation).toMatchObject({ id: aliceDm.id, kind: 'dm' });

    const post = fake.userPosts({ userId: alice.id, channelId: aliceDm.id, message: 'hello agent' });
    fake.emitPosted(post); // the same post again
    const m = await e2e.admitted.waitFor(admittedWithId(post.id));
    expect(m.data).toMatchObject({
      connection: 'mattermost',
      platform: 'mattermost',
      message: { actor: { id: alice.id }, conversation: { id: aliceDm.id, kind: 'dm' }, text: 'hello agent' },
    });
    const next = fake.userPosts({ userId: alice.id, channelId: aliceDm.id, message: 'second' });
    await e2e.admitted.waitFor(admittedWithId(next.id));
    expect(e2e.admitted.items.filter(admittedWithId(post.id))).toHaveLength(1);
  });

  it('pairs the team as a space through a paired user, then admits her channel messages', async () => {
    const before = fake.userPosts({ userId: alice.id, channelId: town.id, message: 'not yet' });
    await e2e.denied((e) => e.data.reason === 'space-not-allowlisted' && e.data.actor.id === alice.id);
    const observed = await e2e.pair(
      'space',
      (code) => fake.userPosts({ userId: alice.id, channelId: town.id, message: `@twokey ${code}` }),
      (e) => e.data.purpose === 'space',
    );
    expect(observed.data.space).toEqual({ id: town.team_id, kind: 'mattermost-team' });

    const post = fake.userPosts({ userId: alice.id, channelId: town.id, message: 'now in the team', rootId: before.id });
    const m = await e2e.admitted.waitFor(admittedWithId(post.id));
    expect(m.data.message.space).toEqual({ id: town.team_id, kind: 'mattermost-team' });
    expect(m.data.message.conversation.threadId).toBe(before.id);
  });

  it('still denies the stranger inside the approved space, and never sent anything on its own', async () => {
    const post = fake.userPosts({ userId: mallory.id, channelId: town.id, message: 'me too' });
    await e2e.denied((e) => e.data.actor.id === mallory.id && e.data.lastSeenAt >= new Date(post.create_at).toISOString());
    expect(e2e.admitted.items.filter((m) => m.data.message.actor.id === mallory.id)).toEqual([]);
    expect(fake.userFacingCalls()).toEqual([]);
    expect(e2e.fatal).toEqual([]);
  });
});
