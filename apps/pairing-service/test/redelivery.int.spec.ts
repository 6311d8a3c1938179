/**
 * JetStream redelivers a message whose ack wait passed while its first delivery is still waiting to be decided: a
 * backlog of failed code attempts (each appended in turn) with plain denials queued behind them, and an ack wait
 * of only 2 s. Both deliveries reach the decision; every message must still be counted exactly once.
 */
import { startNats, type NatsHarness } from '@twokey/test-support';
import type { InboundMessage } from '@twokey/contracts';
import { inbound, isEvent, NatsClient, startService, testConfig, until, type RunningService } from './support';

const STRANGERS = 1_500;
/** Per stranger: one code guess (a failed attempt: an event at once), then plain messages (coalesced denials). */
const PER_STRANGER = 4;
const TOTAL = STRANGERS * PER_STRANGER;

describe('redelivery while a message is still being decided', () => {
  let nats: NatsHarness;
  let client: NatsClient;
  let running: RunningService;

  beforeAll(async () => {
    nats = await startNats();
    client = await NatsClient.connect(nats);
    running = await startService(testConfig(nats, { DENIAL_WINDOW_SECONDS: '1', ACK_WAIT_SECONDS: '2', LOG_LEVEL: 'warn' }));
  });
  afterAll(async () => {
    await running?.service.stop();
    await client?.close();
    await nats?.dispose();
  });

  it('counts every denied message once', async () => {
    await client.ok('issue-token', { connection: 'telegram', purpose: 'user' });
    const messages: InboundMessage[] = Array.from({ length: TOTAL }, (_, i) => {
      const round = Math.floor(i / STRANGERS);
      const text = round === 0 ? `/pair ${String(i).padStart(8, '7')}` : `hello ${i}`;
      return inbound({ actor: { id: `66${i % STRANGERS}` }, text });
    });
    for (let i = 0; i < TOTAL; i += 1_000) await Promise.all(messages.slice(i, i + 1_000).map((m) => client.publish(m)));

    await until('nothing pending', async () => {
      const c = await client.jsm.consumers.info(client.s.streams.inbound, 'pairing-service');
      return (c.num_pending === 0 && c.num_ack_pending === 0) || undefined;
    }, 60_000);
    const denied = (await client.events()).filter(isEvent('MessageDenied'));
    const sequences = denied.flatMap((e) => e.data.inboundSequences ?? []);
    expect(denied.reduce((n, e) => n + e.data.count, 0)).toBe(TOTAL);
    expect(new Set(sequences).size).toBe(sequences.length);
    expect(sequences).toHaveLength(TOTAL);
  });
});
