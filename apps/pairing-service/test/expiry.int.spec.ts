/** Tokens and observations expire on the service's timer; the clock is moved instead of waiting minutes. */
import { startNats, type NatsHarness } from '@twokey/test-support';
import { inbound, isEvent, NatsClient, startService, testConfig, type RunningService } from './support';

describe('expiry', () => {
  let nats: NatsHarness;
  let running: RunningService;
  let client: NatsClient;
  let offsetMs = 0;

  beforeAll(async () => {
    nats = await startNats();
    running = await startService(testConfig(nats, { EXPIRY_TICK_MS: '100' }), { clock: () => new Date(Date.now() + offsetMs) });
    client = await NatsClient.connect(nats);
  });
  afterAll(async () => {
    await client?.close();
    await running?.service.stop();
    await nats?.dispose();
  });

  it('expires an unused token; its code is then denied as expired', async () => {
    const issued = await client.ok('issue-token', { connection: 'telegram', purpose: 'user', ttlSeconds: 60 });
    offsetMs += 61_000;
    const expired = await client.waitForEvent('TokenExpired', isEvent('TokenExpired', (e) => e.data.tokenId === issued.result.tokenId));
    expect(expired.actor).toEqual({ type: 'system', id: 'pairing-service' });
    expect(expired.position).toBeGreaterThan(issued.position);

    await client.publish(inbound({ actor: { id: '55' }, text: issued.result.code }));
    const denied = await client.waitForEvent('late code denied', isEvent('MessageDenied', (e) => e.data.actor.id === '55'));
    expect(denied.data.reason).toBe('pairing-code-expired');
    // Exactly one expiry event, although the timer kept ticking.
    expect((await client.events()).filter(isEvent('TokenExpired'))).toHaveLength(1);
  });

  it('expires an observation nobody decided within 30 minutes; approving it then says expired', async () => {
    const issued = await client.ok('issue-token', { connection: 'telegram', purpose: 'user' });
    await client.publish(inbound({ actor: { id: '56' }, text: issued.result.code }));
    const observed = await client.waitForEvent('TokenObserved', isEvent('TokenObserved', (e) => e.data.actor.id === '56'));
    offsetMs += 31 * 60_000;
    await client.waitForEvent(
      'ObservationExpired',
      isEvent('ObservationExpired', (e) => e.data.observationId === observed.data.observationId),
    );
    const reply = await client.rpc('approve-observation', {
      connection: 'telegram',
      observationId: observed.data.observationId,
      initiator: { type: 'admin', id: 'admin-1' },
      correlationId: 'too-late',
    });
    expect(reply).toMatchObject({ ok: false, error: { code: 'expired' } });
  });
});
