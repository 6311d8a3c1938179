import type { JetStreamClient, PubAck } from 'nats';
import type { InboundMessage } from '@twokey/contracts';
import { JsonLogger } from '@twokey/service-kit';
import { DeadLetters } from './dead-letters';
import { GatewayBufferFull } from './errors';
import { InboundPublisher } from './inbound-publisher';
import { GatewayMetrics } from './metrics';

const message = (id: string): InboundMessage => ({
  schemaVersion: 1,
  connection: 'telegram',
  platform: 'telegram',
  platformMessageId: id,
  sentAt: '2024-01-01T00:00:00.000Z',
  receivedAt: '2024-01-01T00:00:01.000Z',
  actor: { id: '1', displayName: 'A' },
  conversation: { id: '1', kind: 'dm' },
  text: 'hi',
});

/** A JetStream stand-in that is "down" until `up` is set, then records what it stores (msgID de-duplication). */
function fakeJs() {
  const state = { up: false, stored: new Map<string, number>(), attempts: [] as string[] };
  const js = {
    publish: async (_subject: string, _data: Uint8Array, o: { msgID: string }) => {
      state.attempts.push(o.msgID);
      if (!state.up) throw new Error('TIMEOUT');
      const duplicate = state.stored.has(o.msgID);
      if (!duplicate) state.stored.set(o.msgID, state.stored.size + 1);
      return { duplicate, seq: state.stored.get(o.msgID), stream: 'S' } as PubAck;
    },
  } as unknown as JetStreamClient;
  return { js, state };
}

function publisher(bufferMax: number, js: JetStreamClient) {
  const lines: string[] = [];
  const logger = new JsonLogger('t', 'debug', { write: (l) => void lines.push(l) });
  const metrics = new GatewayMetrics({ connection: 'telegram', platform: 'telegram' });
  const p = new InboundPublisher({
    connection: 'telegram',
    platform: 'telegram',
    subject: 'x.inbound.telegram',
    bufferMax,
    publishTimeoutMs: 100,
    fullWaitMs: 50,
    js: () => js,
    deadLetters: new DeadLetters(() => undefined, 'x.dlq.gateway.telegram', { origin: 'gateway.telegram', connection: 'telegram', platform: 'telegram' }, logger),
    metrics,
    logger,
  });
  return { p, lines, metrics };
}

describe('InboundPublisher buffer', () => {
  it('keeps messages in order while NATS is down and stores each once when it is back, with the same msgID', async () => {
    const { js, state } = fakeJs();
    const { p } = publisher(10, js);
    await p.publish(message('a'));
    await p.publish(message('b'));
    expect(p.size).toBe(2);
    state.up = true;
    p.nudge();
    while (p.size) await new Promise((r) => setTimeout(r, 10));
    expect([...state.stored.keys()]).toEqual(['telegram:a', 'telegram:b']);
    expect(new Set(state.attempts.filter((id) => id === 'telegram:a')).size).toBe(1);
    await p.stop(0);
  });

  it('refuses a message with a logged error when the buffer stays full (bounded memory)', async () => {
    const { js } = fakeJs();
    const { p, lines, metrics } = publisher(2, js);
    await p.publish(message('a'));
    await p.publish(message('b'));
    await expect(p.publish(message('c'))).rejects.toBeInstanceOf(GatewayBufferFull);
    expect(p.size).toBe(2);
    expect(lines.some((l) => l.includes('inbound buffer full'))).toBe(true);
    expect((await metrics.inboundRefused.get()).values[0].value).toBe(1);
    await p.stop(0);
  });
});
