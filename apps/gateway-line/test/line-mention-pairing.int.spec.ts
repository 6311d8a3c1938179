/**
 * Issue 19 on LINE: the owner posts `@<bot name> CODE` in a group or a room; LINE marks the bot's mention with
 * `isSelf`. End to end with the real pairing-service. The group summary (the title) is asked for only when an admin
 * looks, through the gateway's space-title RPC: never for a message, so a denied stranger costs LINE no call.
 */
import { JsonLogger } from '@twokey/service-kit';
import { FakeLine, LineSource } from '@twokey/test-support/fakes/line';
import { admittedWithId, inConversation, PairingEndToEnd, startPairingEndToEnd } from '@twokey/test-support/pairing-e2e';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the end-to-end test runs the real pairing-service in process
import { createPairingService } from '../../pairing-service/src/pairing-service';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the admin's view: the admin-api's own title look-up
import { SpaceTitles } from '../../admin-api/src/connections/space-titles';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the admin's view: the admin-api's own title look-up
import { observationsWithTitles } from '../../admin-api/src/connections/titled-views';
import { LineAdapter } from '../src/line-adapter';

const SECRET = 'line-channel-secret-mention';
const TOKEN = 'line-channel-access-token-mention';
const BOT_MENTION = '@Twokey Acceptance Bot';
const alice = { userId: 'U' + 'a'.repeat(32), displayName: 'Alice' };
const GROUP = 'C' + '2'.repeat(32);
const ROOM = 'R' + '3'.repeat(32);
const STRANGERS_GROUP = 'C' + '4'.repeat(32);
const stranger = { userId: 'U' + 's'.repeat(32), displayName: 'Mallory' };
const quiet = new JsonLogger('test', 'error', { write: () => undefined });

describe('LINE group and room pairing with an isSelf mention (end to end)', () => {
  let fake: FakeLine;
  let e2e: PairingEndToEnd;

  beforeAll(async () => {
    fake = await FakeLine.start({ channelAccessToken: TOKEN, profiles: [alice, stranger] });
    fake.groups.set(GROUP, { groupId: GROUP, groupName: 'Tea party' });
    fake.groups.set(STRANGERS_GROUP, { groupId: STRANGERS_GROUP, groupName: 'Night market' });
    e2e = await startPairingEndToEnd({
      platform: 'line',
      createPairingService,
      adapter: () => new LineAdapter({ connection: 'line', channelSecret: SECRET, channelAccessToken: TOKEN, apiBaseUrl: fake.url, logger: quiet }),
    });
    await e2e.pair('user', (code) => say({ type: 'user', userId: alice.userId }, code), (o) => o.data.purpose === 'user');
  });
  afterAll(async () => {
    await e2e?.stop();
    await fake?.close();
  });

  /** `@Twokey Acceptance Bot <rest>` with the bot's mention marked `isSelf`, as LINE sends it. */
  async function say(source: LineSource, text: string, mentionsBot = false) {
    const full = mentionsBot ? `${BOT_MENTION} ${text}` : text;
    const e = fake.textEvent({ source, text: full, ...(mentionsBot ? { mentionees: [{ index: 0, length: BOT_MENTION.length, isSelf: true }] } : {}) });
    expect((await fake.deliver(`${e2e.gw.httpUrl}/line/webhook`, fake.webhookBody([e]), { channelSecret: SECRET })).status).toBe(200);
    return e;
  }

  const summaryCalls = () => fake.log.filter((c) => /^\/v2\/bot\/group\/[^/]+\/summary$/.test(c.path));
  const titles = () => new SpaceTitles(e2e.gw.nc, e2e.gw.subjects, quiet);

  it("a denied stranger's message in an untitled group costs no summary call; the admin's view later shows the title", async () => {
    await say({ type: 'group', groupId: STRANGERS_GROUP, userId: stranger.userId }, 'hello bot', true);
    const denied = await e2e.denied(inConversation(STRANGERS_GROUP));
    expect(denied.data.space).toEqual({ id: STRANGERS_GROUP, kind: 'line-group' });
    expect(summaryCalls()).toEqual([]);
    expect(fake.userFacingCalls()).toEqual([]);

    const [viewed] = await observationsWithTitles(titles(), 'line', [{ space: denied.data.space!, conversation: denied.data.conversation }]);
    expect(viewed.space).toEqual({ id: STRANGERS_GROUP, kind: 'line-group', title: 'Night market' });
    expect(viewed.conversation).toMatchObject({ id: STRANGERS_GROUP, title: 'Night market' });
    expect(summaryCalls().map((c) => c.path)).toEqual([`/v2/bot/group/${STRANGERS_GROUP}/summary`]);
    // Cached by the gateway: a second admin replica (a fresh cache) asks again without another LINE call.
    expect(await titles().title('line', STRANGERS_GROUP)).toBe('Night market');
    expect(summaryCalls()).toHaveLength(1);
  });

  it.each([
    ['a group', { type: 'group', groupId: GROUP, userId: alice.userId } as LineSource, { id: GROUP, kind: 'line-group' }, 'Tea party'],
    ['a room', { type: 'room', roomId: ROOM, userId: alice.userId } as LineSource, { id: ROOM, kind: 'line-room' }, undefined],
  ])('in %s: @<bot> CODE → observation → approve → admitted, addressed to the bot; the admin sees the title', async (_label, source, space, title) => {
    const observed = await e2e.pair('space', (code) => say(source, code, true), (o) => o.data.space?.id === space.id);
    expect(observed.data.space).toEqual(space);
    const approved = await e2e.probe.waitForEvent('line', 'SpaceApproved', (ev) => ev.data.space.id === space.id);
    expect(approved.data.space).toEqual(space);
    expect(await titles().title('line', space.id)).toBe(title);

    const e = await say(source, 'what is new?', true);
    const m = await e2e.admitted.waitFor(admittedWithId(e.message.id));
    expect(m.data.message).toMatchObject({ text: 'what is new?', mentionedBot: true, space });
    expect(fake.userFacingCalls()).toEqual([]);
    expect(e2e.fatal).toEqual([]);
  });
});
