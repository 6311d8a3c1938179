/**
 * A replica whose feed is a moment behind the store must not judge a fresh code invalid: before appending a failed
 * code attempt it waits until its feed reached the store's head, then decides again. Here the feed is driven by the
 * test (real NATS and event store), so the "moment" is as long as the test wants.
 */
import type { NatsConnection } from 'nats';
import { connect } from 'nats';
import { subjects, type Initiator } from '@twokey/contracts';
import { JetStreamEventStore } from '@twokey/event-store';
import { ensureStreams } from '@twokey/messaging';
import { startNats, type NatsHarness } from '@twokey/test-support';
import { isFailedCodeAttempt } from '../src/inbound/inbound-handler';
import { PairingMetrics } from '../src/infra/metrics';
import { AccessRegistry } from '../src/state/access-registry';
import { CommandExecutor, type CommandContext } from '../src/state/command-executor';
import { productionDomainDeps } from '../src/state/domain-deps';
import { inbound } from './support';

const SYSTEM: Initiator = { type: 'system', id: 'test' };
const ctx = (id: string): CommandContext => ({ correlationId: id, causationId: id, actor: SYSTEM, dedupeKey: id });

describe('deciding a code on a state behind the store', () => {
  let nats: NatsHarness;
  let nc: NatsConnection;
  let store: JetStreamEventStore;
  const deps = productionDomainDeps('s'.repeat(40));

  beforeAll(async () => {
    nats = await startNats();
    nc = await connect({ servers: nats.url });
    const s = subjects(nats.prefix);
    await ensureStreams(await nc.jetstreamManager(), s);
    store = new JetStreamEventStore({ nc, subjects: s });
  });
  afterAll(async () => {
    await nc?.close();
    await nats?.dispose();
  });

  /** Another replica issues a token; this replica's registry has not seen it yet. */
  async function issuedElsewhere(connection: string): Promise<string> {
    const other = new CommandExecutor(store, deps, new AccessRegistry(), new PairingMetrics());
    const issued = await other.execute(connection, () => ({ type: 'IssuePairingToken', purpose: 'user', now: new Date() }), ctx(`issue-${connection}`));
    if (issued.kind !== 'decided' || !issued.decision.ok || issued.decision.outcome.kind !== 'token-issued') throw new Error('not issued');
    return issued.decision.outcome.code;
  }

  const feedEverything = async (registry: AccessRegistry) => {
    for await (const e of store.readAll(registry.position)) registry.applyFromFeed(e);
  };

  it('waits for the feed to reach the head, then observes the token', async () => {
    const code = await issuedElsewhere('fresh-a');
    const registry = new AccessRegistry();
    const executor = new CommandExecutor(store, deps, registry, new PairingMetrics());
    const message = inbound({ connection: 'fresh-a', actor: { id: '1' }, text: code });
    const decided = executor.execute('fresh-a', () => ({ type: 'ObserveMessage', message, inboundSequence: 1, now: new Date() }), {
      ...ctx('m1'),
      needsFreshState: isFailedCodeAttempt,
    });
    setTimeout(() => void feedEverything(registry), 100);
    const result = await decided;
    expect(result).toMatchObject({ kind: 'decided', decision: { ok: true, outcome: { kind: 'observed' } } });
  });

  it('without the check the same race records a failed attempt (why the check exists)', async () => {
    const code = await issuedElsewhere('fresh-b');
    const executor = new CommandExecutor(store, deps, new AccessRegistry(), new PairingMetrics());
    const message = inbound({ connection: 'fresh-b', actor: { id: '1' }, text: code });
    const result = await executor.execute('fresh-b', () => ({ type: 'ObserveMessage', message, inboundSequence: 2, now: new Date() }), ctx('m2'));
    expect(result).toMatchObject({ kind: 'decided', decision: { ok: true, outcome: { kind: 'denied', reason: 'pairing-code-invalid' } } });
  });

  it('decides on what it knows when the feed does not catch up in time', async () => {
    const executor = new CommandExecutor(store, deps, new AccessRegistry(), new PairingMetrics());
    const message = inbound({ connection: 'fresh-c', actor: { id: '1' }, text: 'ZZZZ-ZZZZ' });
    const started = Date.now();
    const result = await executor.execute('fresh-c', () => ({ type: 'ObserveMessage', message, inboundSequence: 3, now: new Date() }), {
      ...ctx('m3'),
      needsFreshState: isFailedCodeAttempt,
    });
    expect(result).toMatchObject({ kind: 'decided', decision: { ok: true, outcome: { kind: 'denied', reason: 'pairing-code-invalid' } } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });
});
