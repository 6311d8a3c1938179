/**
 * Pairing end to end with only NATS between the test and the service: tokens and approvals over request/reply,
 * messages as a gateway publishes them, decisions read back from the event store and the admitted stream.
 */
import { accessStream, activityStream } from '@twokey/contracts';
import { startNats, type NatsHarness } from '@twokey/test-support';
import { inbound, isEvent, NatsClient, startService, testConfig, type RunningService } from './support';

/** What a person might paste: lower case, spaces, a zero-width space, a `/start` command in front. */
function mangle(code: string): string {
  const [a, b] = code.toLowerCase().split('-');
  return `/start ${a.slice(0, 2)} ${a.slice(2)}\u200b-  ${b}`;
}

describe('pairing over NATS', () => {
  let nats: NatsHarness;
  let running: RunningService;
  let client: NatsClient;

  beforeAll(async () => {
    nats = await startNats();
    running = await startService(testConfig(nats));
    client = await NatsClient.connect(nats);
  });
  afterAll(async () => {
    await client?.close();
    await running?.service.stop();
    await nats?.dispose();
  });

  /** Pairs `actorId` on `connection` with a user code sent in a DM; returns the observation id. */
  async function pairUser(connection: string, platform: 'telegram' | 'slack', actorId: string): Promise<string> {
    const issued = await client.ok('issue-token', { connection, purpose: 'user' });
    const msg = inbound({ connection, platform, actor: { id: actorId }, text: mangle(issued.result.code) });
    await client.publish(msg);
    const observed = await client.waitForEvent(
      'TokenObserved',
      isEvent('TokenObserved', (e) => e.stream === accessStream(connection) && e.data.platformMessageId === msg.platformMessageId),
    );
    const approved = await client.ok('approve-observation', { connection, observationId: observed.data.observationId });
    expect(approved.result).toEqual({ observationId: observed.data.observationId, approved: 'user', subjectId: actorId });
    return observed.data.observationId;
  }

  it('pairs a user with a mangled code, then admits the user and silently denies a stranger', async () => {
    const issued = await client.ok('issue-token', { connection: 'telegram', purpose: 'user', ttlSeconds: 120 });
    expect(issued.result.code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    expect(issued.position).toBeGreaterThan(0);

    const pairing = inbound({ actor: { id: '1001', displayName: 'Alice' }, text: mangle(issued.result.code) });
    await client.publish(pairing);
    const observed = await client.waitForEvent(
      'TokenObserved for Alice',
      isEvent('TokenObserved', (e) => e.data.actor.id === '1001'),
    );
    expect(observed.stream).toBe(accessStream('telegram'));
    expect(observed.data).toMatchObject({ tokenId: issued.result.tokenId, purpose: 'user', platformMessageId: pairing.platformMessageId });
    expect(observed.actor).toEqual({ type: 'platform-user', id: '1001', name: 'Alice' });

    const approved = await client.ok('approve-observation', { connection: 'telegram', observationId: observed.data.observationId });
    expect(approved.position).toBeGreaterThan(observed.position);
    const userApproved = await client.waitForEvent('UserApproved', isEvent('UserApproved', (e) => e.data.user.id === '1001'));
    expect(userApproved.actor).toEqual(expect.objectContaining({ type: 'admin', id: 'admin-1' }));
    expect(userApproved.position).toBe(approved.position);

    const stranger = inbound({ actor: { id: '6666', displayName: 'Mallory' }, text: 'let me in' });
    await client.publish(stranger);
    const hello = inbound({ actor: { id: '1001', displayName: 'Alice' }, text: 'hello agent' });
    await client.publish(hello);

    const admitted = await client.admitted();
    const out = await admitted.waitFor((m) => m.data.message.platformMessageId === hello.platformMessageId);
    expect(out.subject).toBe(client.s.admitted('telegram'));
    expect(out.msgId).toBe(`telegram:${hello.platformMessageId}`);
    expect(out.data).toMatchObject({ schemaVersion: 1, connection: 'telegram', platform: 'telegram', message: hello });

    const denied = await client.waitForEvent('MessageDenied for the stranger', isEvent('MessageDenied', (e) => e.data.actor.id === '6666'));
    expect(denied.stream).toBe(activityStream('telegram'));
    expect(denied.data).toMatchObject({ reason: 'user-not-allowlisted', count: 1 });
    expect(admitted.items.some((m) => m.data.message.actor.id === '6666')).toBe(false);
    // The pairing message itself is a decision (observed), not an admission.
    expect(admitted.items.some((m) => m.data.message.platformMessageId === pairing.platformMessageId)).toBe(false);
  });

  it('pairs a Telegram supergroup and a Slack workspace for an allowlisted user, never for a stranger', async () => {
    await pairUser('tg-spaces', 'telegram', '2001');
    await client.ok('add-user', { connection: 'slack', user: { id: 'U2001', displayName: 'Bob' } });

    const spaces = [
      {
        connection: 'tg-spaces',
        platform: 'telegram' as const,
        actor: { id: '2001', displayName: 'Bob' },
        conversation: { id: '-100777', kind: 'supergroup' as const, title: 'Team' },
        space: { id: '-100777', kind: 'telegram-supergroup' as const, title: 'Team' },
      },
      {
        connection: 'slack',
        platform: 'slack' as const,
        actor: { id: 'U2001', displayName: 'Bob' },
        conversation: { id: 'C0123', kind: 'channel' as const, title: 'general' },
        space: { id: 'T0456', kind: 'slack-workspace' as const, title: 'Acme' },
      },
    ];
    const admitted = await client.admitted();
    for (const where of spaces) {
      const issued = await client.ok('issue-token', { connection: where.connection, purpose: 'space' });
      const before = inbound({ ...where, text: 'anyone there?' });
      await client.publish(before);
      await client.waitForEvent(
        'space-not-allowlisted before pairing',
        isEvent('MessageDenied', (e) => e.stream === activityStream(where.connection) && e.data.reason === 'space-not-allowlisted'),
      );

      const codeMsg = inbound({ ...where, text: `<@BOT> ${issued.result.code.toLowerCase()}` });
      await client.publish(codeMsg);
      const observed = await client.waitForEvent(
        `space TokenObserved on ${where.connection}`,
        isEvent('TokenObserved', (e) => e.data.platformMessageId === codeMsg.platformMessageId),
      );
      expect(observed.data).toMatchObject({ purpose: 'space', space: { id: where.space.id } });
      const approved = await client.ok('approve-observation', { connection: where.connection, observationId: observed.data.observationId });
      expect(approved.result).toEqual({ observationId: observed.data.observationId, approved: 'space', subjectId: where.space.id });

      const after = inbound({ ...where, text: 'now it works' });
      await client.publish(after);
      await admitted.waitFor((m) => m.data.message.platformMessageId === after.platformMessageId);
      expect(admitted.items.some((m) => m.data.message.platformMessageId === before.platformMessageId)).toBe(false);
    }

    // A stranger posting a live space code in another supergroup: denied, the token stays unobserved.
    const issued = await client.ok('issue-token', { connection: 'tg-spaces', purpose: 'space' });
    const otherGroup = {
      connection: 'tg-spaces',
      conversation: { id: '-100888', kind: 'supergroup' as const },
      space: { id: '-100888', kind: 'telegram-supergroup' as const },
    };
    const strangerCode = inbound({ ...otherGroup, actor: { id: '6667' }, text: issued.result.code });
    await client.publish(strangerCode);
    const denied = await client.waitForEvent(
      'space-pairing-not-authorized',
      isEvent('MessageDenied', (e) => e.data.actor.id === '6667'),
    );
    expect(denied.data).toMatchObject({ reason: 'space-pairing-not-authorized', space: { id: '-100888' } });
    const bobThere = inbound({ ...otherGroup, actor: { id: '2001', displayName: 'Bob' }, text: 'is this group allowed?' });
    await client.publish(bobThere);
    await client.waitForEvent(
      'Bob denied in the unpaired group',
      isEvent('MessageDenied', (e) => e.data.actor.id === '2001' && e.data.conversation.id === '-100888'),
    );
    const events = await client.events();
    expect(events.some((e) => e.type === 'TokenObserved' && e.data.tokenId === issued.result.tokenId)).toBe(false);
    expect(events.some((e) => e.type === 'SpaceApproved' && e.data.space.id === '-100888')).toBe(false);
    expect(
      events.find(isEvent('MessageDenied', (e) => e.data.actor.id === '2001' && e.data.conversation.id === '-100888'))?.data.reason,
    ).toBe('space-not-allowlisted');
    expect(admitted.items.some((m) => m.data.message.platformMessageId === bobThere.platformMessageId)).toBe(false);
  });

  it('keeps connections apart: an approval on telegram admits nobody on telegram-2', async () => {
    const observationId = await pairUser('telegram', 'telegram', '3001');
    const admitted = await client.admitted();
    const onFirst = inbound({ connection: 'telegram', actor: { id: '3001' }, text: 'first bot' });
    const onSecond = inbound({ connection: 'telegram-2', actor: { id: '3001' }, text: 'second bot' });
    await client.publish(onSecond);
    await client.publish(onFirst);

    await admitted.waitFor((m) => m.data.message.platformMessageId === onFirst.platformMessageId);
    const denied = await client.waitForEvent(
      'denial on telegram-2',
      isEvent('MessageDenied', (e) => e.stream === activityStream('telegram-2') && e.data.actor.id === '3001'),
    );
    expect(denied.data.reason).toBe('user-not-allowlisted');
    expect(admitted.items.some((m) => m.data.connection === 'telegram-2')).toBe(false);

    // The observation belongs to telegram: telegram-2 does not know it.
    const reply = await client.rpc('approve-observation', {
      connection: 'telegram-2',
      observationId,
      initiator: { type: 'admin', id: 'admin-1' },
      correlationId: 'cross-connection',
    });
    expect(reply).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });
});
