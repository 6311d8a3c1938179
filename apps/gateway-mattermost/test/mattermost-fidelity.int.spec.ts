/**
 * Issue 19 on Mattermost, end to end with the real pairing-service: `@<bot username> CODE` pairs a team (in a
 * thread too), a plugin's post in an allowlisted user's name is not admitted, a `/me` post is.
 */
import { JsonLogger } from '@twokey/service-kit';
import { FakeMattermost, MattermostChannel } from '@twokey/test-support/fakes/mattermost';
import { admittedWithId, PairingEndToEnd, startPairingEndToEnd } from '@twokey/test-support/pairing-e2e';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the end-to-end test runs the real pairing-service in process
import { createPairingService } from '../../pairing-service/src/pairing-service';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the admin's view: the admin-api's own title look-up
import { SpaceTitles } from '../../admin-api/src/connections/space-titles';
import { MattermostAdapter } from '../src/mattermost-adapter';

const TOKEN = 'mm-fidelity-token-0123456789';
const bot = { id: 'botuser0000000000000000000', username: 'twokey-acceptance-bot', is_bot: true };
const alice = { id: 'alice000000000000000000000', username: 'alice', first_name: 'Alice', last_name: 'Liddell' };
const TEAM = 'team00000000000000000000000';
const aliceDm: MattermostChannel = { id: 'dmalice0000000000000000000', type: 'D', team_id: '', name: `${alice.id}__${bot.id}`, display_name: '@alice' };
const town: MattermostChannel = { id: 'townsquare0000000000000000', type: 'O', team_id: TEAM, name: 'town-square', display_name: 'Town Square' };
const quiet = new JsonLogger('test', 'error', { write: () => undefined });

describe('gateway-mattermost fidelity (end to end)', () => {
  let fake: FakeMattermost;
  let e2e: PairingEndToEnd;

  beforeAll(async () => {
    fake = await FakeMattermost.start({ token: TOKEN, bot, users: [alice], channels: [aliceDm, town], teams: [{ id: TEAM, name: 'wonderland', display_name: 'Wonderland' }] });
    e2e = await startPairingEndToEnd({
      platform: 'mattermost',
      createPairingService,
      adapter: () => new MattermostAdapter({ connection: 'mattermost', baseUrl: fake.url, token: TOKEN, logger: quiet }),
    });
    await fake.waitForSockets(1);
    await e2e.pair('user', (code) => fake.userPosts({ userId: alice.id, channelId: aliceDm.id, message: code }), (o) => o.data.purpose === 'user');
  });
  afterAll(async () => {
    await e2e?.stop();
    await fake?.close();
  });

  it("@<bot username> CODE in a thread pairs the team, titled in the admin's view (never looked up for the post); a later mention is admitted without it, addressed", async () => {
    const root = fake.userPosts({ userId: alice.id, channelId: town.id, message: 'setting up the bot' });
    const observed = await e2e.pair(
      'space',
      (code) => fake.userPosts({ userId: alice.id, channelId: town.id, rootId: root.id, message: `@twokey-acceptance-bot ${code}` }),
      (o) => o.data.purpose === 'space',
    );
    expect(observed.data.space).toEqual({ id: TEAM, kind: 'mattermost-team' });
    expect(fake.log.filter((c) => c.path === `/api/v4/teams/${TEAM}`)).toEqual([]);
    expect(await new SpaceTitles(e2e.gw.nc, e2e.gw.subjects, quiet).title('mattermost', TEAM)).toBe('Wonderland');
    expect(observed.data.conversation).toMatchObject({ id: town.id, threadId: root.id });

    const p = fake.userPosts({ userId: alice.id, channelId: town.id, message: 'K7QM-2ZXD is not a code here, @twokey-acceptance-bot' });
    const m = await e2e.admitted.waitFor(admittedWithId(p.id));
    expect(m.data.message).toMatchObject({ text: 'K7QM-2ZXD is not a code here,', mentionedBot: true });
  });

  it("a plugin's post in an allowlisted user's name is not admitted; her /me post is", async () => {
    const plugin = fake.userPosts({ userId: alice.id, channelId: aliceDm.id, message: 'run the deploy', props: { from_plugin: true } });
    const oauth = fake.userPosts({ userId: alice.id, channelId: aliceDm.id, message: 'run the deploy', props: { from_oauth_app: true, override_username: 'alice' } });
    const me = fake.userPosts({ userId: alice.id, channelId: aliceDm.id, message: 'waves', type: 'me' });
    const m = await e2e.admitted.waitFor(admittedWithId(me.id));
    expect(m.data.message).toMatchObject({ actor: { id: alice.id }, text: 'waves' });
    // One socket, handled in order: the two earlier posts were decided on (ignored, never published) before this one.
    expect(e2e.gw.inbound.items.filter((x) => [plugin.id, oauth.id].includes(x.data.platformMessageId))).toEqual([]);
    expect(e2e.admitted.items.filter((x) => [plugin.id, oauth.id].includes(x.data.message.platformMessageId))).toEqual([]);
    expect(e2e.fatal).toEqual([]);
  });
});
