/**
 * Brute force (rule 6): 100 strangers send 10,000 code-shaped guesses while a real token is live. No guess may
 * observe the token, the throttle events stay bounded by the number of actors and conversations (not by the number
 * of guesses), and the admin's own pairing goes through in the middle of the attack.
 */
import { formatCode } from '@twokey/pairing-domain';
import { startNats, type NatsHarness } from '@twokey/test-support';
import type { InboundMessage, StoredEvent } from '@twokey/contracts';
import { inbound, isEvent, NatsClient, startService, testConfig, until, type RunningService } from './support';

const STRANGERS = 100;
const GUESSES = 10_000;
/** Strangers guess from their DMs and from ten groups they share, so both throttle scopes are exercised. */
const GROUPS = 10;
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A guess as people (or scripts) type them: code alone, formatted, or after /pair and /start. */
function guess(i: number): string {
  let x = (i * 2_654_435_761 + 97) % 2 ** 40;
  let code = '';
  for (let k = 0; k < 8; k++) {
    code += CROCKFORD[x % 32];
    x = Math.floor(x / 32);
  }
  return [code, formatCode(code), `/pair ${code}`, `/start ${formatCode(code).toLowerCase()}`][i % 4];
}

describe('abuse: brute-forcing pairing codes', () => {
  let nats: NatsHarness;
  let client: NatsClient;
  let svc: RunningService;

  beforeAll(async () => {
    nats = await startNats();
    client = await NatsClient.connect(nats);
    svc = await startService(testConfig(nats, { DENIAL_WINDOW_SECONDS: '1', ACK_WAIT_SECONDS: '2', LOG_LEVEL: 'warn' }));
  });
  afterAll(async () => {
    await svc?.service.stop();
    await client?.close();
    await nats?.dispose();
  });

  it('observes no guess, bounds the throttle events, and still pairs the admin during the attack', async () => {
    const issued = await client.ok('issue-token', { connection: 'telegram', purpose: 'user' });
    const guesses: InboundMessage[] = [];
    for (let i = 0; i < GUESSES; i++) {
      const stranger = `666${i % STRANGERS}`;
      const inGroup = Math.floor(i / STRANGERS) % 2 === 1;
      const group = `-100777${i % GROUPS}`;
      guesses.push(
        inbound({
          actor: { id: stranger },
          text: guess(i),
          ...(inGroup ? { conversation: { id: group, kind: 'supergroup' as const }, space: { id: group, kind: 'telegram-supergroup' as const } } : {}),
        }),
      );
    }

    // Publish the attack in chunks and pair the admin once half of it is in.
    const adminMessage = inbound({ actor: { id: '4242', displayName: 'The Admin' }, text: `/start ${issued.result.code}` });
    for (let i = 0; i < GUESSES; i += 500) {
      await Promise.all(guesses.slice(i, i + 500).map((m) => client.publish(m)));
      if (i === GUESSES / 2) await client.publish(adminMessage);
    }
    const observed = await client.waitForEvent('the admin observed', isEvent('TokenObserved'), 30_000);
    expect(observed.data.actor.id).toBe('4242');
    await client.ok('approve-observation', { connection: 'telegram', observationId: observed.data.observationId });
    const hello = inbound({ actor: { id: '4242' }, text: 'I am in' });
    await client.publish(hello);
    const admitted = await client.admitted();
    await admitted.waitFor((m) => m.data.message.platformMessageId === hello.platformMessageId, 30_000);

    // Every guess decided: denied, each counted exactly once.
    let events: StoredEvent[] = [];
    await until(
      'every guess counted',
      async () => {
        events = await client.events();
        const counted = events.filter(isEvent('MessageDenied')).reduce((n, e) => n + e.data.count, 0);
        return counted >= GUESSES || undefined;
      },
      60_000,
    );
    const denied = events.filter(isEvent('MessageDenied'));
    expect(denied.reduce((n, e) => n + e.data.count, 0)).toBe(GUESSES);
    expect(denied.every((e) => e.data.actor.id.startsWith('666'))).toBe(true);

    // Zero observations by a stranger, nobody but the admin allowlisted, no stranger's message admitted.
    expect(events.filter(isEvent('TokenObserved')).map((e) => e.data.actor.id)).toEqual(['4242']);
    expect(events.filter(isEvent('UserApproved')).map((e) => e.data.user.id)).toEqual(['4242']);
    expect(admitted.items.filter((m) => m.data.message.actor.id.startsWith('666'))).toEqual([]);

    // Bounded: one throttle per actor and per conversation within the 15-minute window, not one per guess; the
    // attempts that reach the matcher are at most 5 per actor and per conversation before the throttle.
    const throttles = events.filter(isEvent('PairingThrottled'));
    const scopes = STRANGERS + STRANGERS + GROUPS; // actors, their DMs, the groups
    expect(throttles.length).toBeGreaterThan(0);
    expect(throttles.length).toBeLessThanOrEqual(scopes);
    const keys = throttles.map((e) => `${e.data.scope}:${e.data.scope === 'actor' ? e.data.actorId : e.data.conversationId}`);
    expect(new Set(keys).size).toBe(keys.length);
    const matched = denied.filter((e) => e.data.reason === 'pairing-code-invalid').reduce((n, e) => n + e.data.count, 0);
    expect(matched).toBeLessThanOrEqual(5 * scopes);
    expect(denied.filter((e) => e.data.reason === 'pairing-throttled').reduce((n, e) => n + e.data.count, 0)).toBe(GUESSES - matched);
  }, 120_000);
});
