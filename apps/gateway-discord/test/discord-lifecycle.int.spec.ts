/**
 * gateway-discord's connection lifecycle: close codes not to be retried (issue 19) and an unreachable Discord at
 * start (issue 20 P1), with discord.js (unmodified) on the fake Discord.
 */
import { subjects as subjectsFor } from '@twokey/contracts';
import { NatsHarness, startNats } from '@twokey/test-support';
import { FaultProxy } from '@twokey/test-support/fault-proxy';
import { FakeDiscord } from '@twokey/test-support/fakes/discord';
import { CapturingLogger, settle, startGatewayUnderTest, untilAsync } from '@twokey/test-support/gateway-harness';
import { expectP1Recovery, playUnreachableAtStart } from '@twokey/test-support/unreachable-at-start';
import { DiscordAdapter } from '../src/discord-adapter';

const TOKEN = 'discord-lifecycle-token.0123456789.abcdefghijklmnop';

describe('gateway-discord lifecycle', () => {
  let nats: NatsHarness;
  let fake: FakeDiscord;

  beforeAll(async () => {
    nats = await startNats();
    fake = await FakeDiscord.start({ token: TOKEN, guilds: [] });
  });
  afterAll(async () => {
    await fake?.close();
    await nats?.dispose();
  });

  it('close 4014: at most one further IDENTIFY, reported with the reason in the status; Reconnect after the fix resumes', async () => {
    fake.messageContentIntent = false;
    const identifiesBefore = fake.identifies.length;
    const logger = new CapturingLogger();
    const gw = await startGatewayUnderTest({
      nats,
      platform: 'discord',
      adapter: new DiscordAdapter({ connection: 'discord', token: TOKEN, apiUrl: fake.apiUrl, logger, waitGuildTimeoutMs: 500 }),
      logger,
      expectReady: false,
    });
    try {
      expect(fake.closeCodes).toContain(4014);
      await settle(3_500); // past the first retry delays (1 s, 2 s) of any backoff
      expect(fake.identifies.length - identifiesBefore).toBeLessThanOrEqual(2);
      const status = await gw.status();
      expect(status).toMatchObject({ receiving: false, halted: true, reason: expect.stringMatching(/4014.*Message Content Intent/) });

      fake.messageContentIntent = true; // the operator enables the intent in the developer portal
      const nc = gw.nc;
      const reply = await nc.request(subjectsFor(nats.prefix).rpcGateway('discord', 'reconnect'), '{}', { timeout: 15_000 });
      expect(JSON.parse(Buffer.from(reply.data).toString('utf8'))).toMatchObject({ receiving: true });
      expect(await gw.connectionTest()).toMatchObject({ ok: true });
    } finally {
      await gw.stop();
    }
  });

  it('P1: Discord unreachable at start: each attempt logged, retried within 30 s, receiving false with a reason, connection test failing, then receiving', async () => {
    fake.messageContentIntent = true;
    const proxy = await FaultProxy.start(fake.apiUrl);
    const logger = new CapturingLogger();
    const run = await playUnreachableAtStart({
      proxy,
      logger,
      start: () =>
        startGatewayUnderTest({
          nats,
          platform: 'discord',
          adapter: new DiscordAdapter({ connection: 'discord-p1', token: TOKEN, apiUrl: proxy.url(fake.apiUrl), logger, waitGuildTimeoutMs: 500 }),
          logger,
          expectReady: false,
          config: { connection: 'discord-p1' },
        }),
    });
    try {
      expectP1Recovery(run);
      expect(JSON.stringify([run.failedAttempts, run.whileDown.status])).not.toContain(TOKEN);
    } finally {
      await run.gw.stop();
      await proxy.close();
    }
  });

  it('close 4014 while running (the intent turned off later): no reconnect, halted with the reason, Reconnect resumes', async () => {
    fake.messageContentIntent = true;
    const logger = new CapturingLogger();
    const gw = await startGatewayUnderTest({
      nats,
      platform: 'discord',
      adapter: new DiscordAdapter({ connection: 'discord-run', token: TOKEN, apiUrl: fake.apiUrl, logger, waitGuildTimeoutMs: 500 }),
      logger,
      config: { connection: 'discord-run' },
    });
    try {
      expect((await gw.status()).receiving).toBe(true);
      const identifies = fake.identifies.length;
      fake.messageContentIntent = false;
      fake.dropSessions(4014);
      const halted = await untilAsync(async () => {
        const st = await gw.status();
        return st.halted ? st : undefined;
      }, 5_000, 'halted');
      expect(halted).toMatchObject({ receiving: false, reason: expect.stringMatching(/4014/) });
      await settle(1_500); // a reconnecting client would IDENTIFY again within this
      expect(fake.identifies.length - identifies).toBeLessThanOrEqual(1);
      fake.messageContentIntent = true;
      expect(await gw.reconnect()).toMatchObject({ receiving: true });
    } finally {
      await gw.stop();
    }
  });

  it('a status answer keeps naming the halt until Reconnect', async () => {
    fake.messageContentIntent = false;
    const logger = new CapturingLogger();
    const gw = await startGatewayUnderTest({
      nats,
      platform: 'discord',
      adapter: new DiscordAdapter({ connection: 'discord-h', token: TOKEN, apiUrl: fake.apiUrl, logger, waitGuildTimeoutMs: 500 }),
      logger,
      expectReady: false,
      config: { connection: 'discord-h' },
    });
    try {
      const halted = await untilAsync(async () => ((await gw.status()).halted ? true : undefined), 5_000, 'halted');
      expect(halted).toBe(true);
      expect(logger.find('error', /not retrying until the configuration changes or an admin asks to reconnect/)).toHaveLength(1);
    } finally {
      await gw.stop();
      fake.messageContentIntent = true;
    }
  });
});
