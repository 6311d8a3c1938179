/**
 * End to end: fake Discord → gateway-discord → NATS → the real pairing-service (in process). Silent denial is
 * asserted on the fake's call log; admission on `<prefix>.admitted.discord`.
 */
import { JsonLogger } from '@twokey/service-kit';
import { DiscordGuild, FakeDiscord, snowflake } from '@twokey/test-support/fakes/discord';
import { settle } from '@twokey/test-support/gateway-harness';
import { admittedWithId, inConversation, PairingEndToEnd, startPairingEndToEnd } from '@twokey/test-support/pairing-e2e';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the end-to-end test runs the real pairing-service in process
import { createPairingService } from '../../pairing-service/src/pairing-service';
import { DiscordAdapter } from '../src/discord-adapter';

const TOKEN = 'discord-e2e-token.0123456789.abcdefghijklmnop';
const quiet = new JsonLogger('test', 'error', { write: () => undefined });
const alice = { id: snowflake(), username: 'alice', global_name: 'Alice' };
const mallory = { id: snowflake(), username: 'mallory' };
const aliceDm = snowflake();
const malloryDm = snowflake();
const guild: DiscordGuild = { id: snowflake(), name: 'Wonderland', channels: [{ id: snowflake(), type: 0, name: 'general' }] };
const general = guild.channels[0].id;
const glass: DiscordGuild = { id: snowflake(), name: 'Looking Glass', channels: [{ id: snowflake(), type: 0, name: 'hall' }, { id: snowflake(), type: 11, name: 'chess' }] };
const chessThread = glass.channels[1].id;

describe('gateway-discord with the pairing-service (end to end)', () => {
  let fake: FakeDiscord;
  let e2e: PairingEndToEnd;

  beforeAll(async () => {
    fake = await FakeDiscord.start({ token: TOKEN, guilds: [guild, glass] });
    e2e = await startPairingEndToEnd({
      platform: 'discord',
      createPairingService,
      adapter: () => new DiscordAdapter({ connection: 'discord', token: TOKEN, apiUrl: fake.apiUrl, logger: quiet, waitGuildTimeoutMs: 2_000 }),
    });
  });
  afterAll(async () => {
    await e2e?.stop();
    await fake?.close();
  });

  it("denies a stranger's DM and server message silently: zero calls a user would notice", async () => {
    const dm = fake.userSends({ author: mallory, channelId: malloryDm, content: 'let me in' });
    fake.dispatch('MESSAGE_CREATE', dm); // delivered again: still one decision
    fake.userSends({ author: mallory, guildId: guild.id, channelId: general, content: 'hello everyone' });
    const dmDenial = await e2e.denied(inConversation(malloryDm));
    expect(dmDenial.data).toMatchObject({ reason: 'user-not-allowlisted', actor: { id: mallory.id }, count: 1 });
    const spaceDenial = await e2e.denied(inConversation(general));
    expect(spaceDenial.data.space).toMatchObject({ id: guild.id, kind: 'discord-server' });
    await settle();
    expect(fake.userFacingCalls()).toEqual([]);
    expect(e2e.admitted.items).toEqual([]);
  });

  it('pairs a user by DM, then admits her messages once each', async () => {
    const observed = await e2e.pair(
      'user',
      (code) => fake.userSends({ author: alice, channelId: aliceDm, content: code }),
      (e) => e.data.actor.id === alice.id,
    );
    expect(observed.data.actor).toMatchObject({ id: alice.id, displayName: 'Alice' });

    const hello = fake.userSends({ author: alice, channelId: aliceDm, content: 'hello agent' });
    fake.dispatch('MESSAGE_CREATE', hello);
    const m = await e2e.admitted.waitFor(admittedWithId(hello.id));
    expect(m.data.message).toMatchObject({ conversation: { id: aliceDm, kind: 'dm' }, text: 'hello agent' });
    const next = fake.userSends({ author: alice, channelId: aliceDm, content: 'second' });
    await e2e.admitted.waitFor(admittedWithId(next.id));
    expect(e2e.admitted.items.filter(admittedWithId(hello.id))).toHaveLength(1);
  });

  it('pairs the server as a space through the paired user, then admits her channel messages', async () => {
    const observed = await e2e.pair(
      'space',
      (code) => fake.userSends({ author: alice, guildId: guild.id, channelId: general, content: `<@${fake.bot.id}> ${code}` }),
      (e) => e.data.purpose === 'space',
    );
    expect(observed.data.space).toMatchObject({ id: guild.id, kind: 'discord-server' });
    const inServer = fake.userSends({ author: alice, guildId: guild.id, channelId: general, content: 'now in the server' });
    expect((await e2e.admitted.waitFor(admittedWithId(inServer.id))).data.message.space).toMatchObject({ id: guild.id });
    expect(fake.userFacingCalls()).toEqual([]);
    expect(e2e.fatal).toEqual([]);
  });

  it('issue 19: CODE <@!bot> (the mention after the code) in a thread pairs that server; mentions of others read as names', async () => {
    const observed = await e2e.pair(
      'space',
      (code) => fake.userSends({ author: alice, guildId: glass.id, channelId: chessThread, content: `${code} <@!${fake.bot.id}>` }),
      (e) => e.data.space?.id === glass.id,
    );
    expect(observed.data.space).toEqual({ id: glass.id, kind: 'discord-server', title: 'Looking Glass' });
    expect(observed.data.conversation).toMatchObject({ id: chessThread, kind: 'thread' });
    const ask = fake.userSends({ author: alice, guildId: glass.id, channelId: chessThread, content: `<@${fake.bot.id}> ask <@${alice.id}> about it` });
    const m = await e2e.admitted.waitFor(admittedWithId(ask.id));
    expect(m.data.message).toMatchObject({ text: 'ask @Alice about it', mentionedBot: true });
  });
});
