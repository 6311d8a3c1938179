/**
 * The traffic and the checks of the fault tests (SIGKILL, freeze): allowed users' messages mixed with strangers',
 * and afterwards "every message has exactly one decision".
 */
import type { InboundMessage, StoredEvent } from '@twokey/contracts';
import { inbound, isEvent, type NatsClient } from './support';

export interface MixedTraffic {
  messages: InboundMessage[];
  /** Nats-Msg-Id of every message that must be admitted. */
  admittedIds: Set<string>;
  deniedCount: number;
}

/** `total` messages; every `deniedEvery`-th one (the last of each run) from a stranger, the rest from allowed users. */
export function mixedTraffic(o: { total: number; deniedEvery: number; allowed: string[]; strangers: string[]; idPrefix: string }): MixedTraffic {
  const messages = Array.from({ length: o.total }, (_, i) => {
    const denied = i % o.deniedEvery === o.deniedEvery - 1;
    const actor = denied ? o.strangers[i % o.strangers.length] : o.allowed[i % o.allowed.length];
    return inbound({ id: `${o.idPrefix}${i}`, actor: { id: actor }, text: denied ? `let me in ${i}` : `task ${i}` });
  });
  const admittedIds = new Set(messages.filter((m) => o.allowed.includes(m.actor.id)).map((m) => `telegram:${m.platformMessageId}`));
  return { messages, admittedIds, deniedCount: o.total - admittedIds.size };
}

/**
 * Each admitted message is on TWOKEY_ADMITTED exactly once (unique Nats-Msg-Id), each denied one is counted in
 * exactly one MessageDenied (no inbound sequence in two events), and no event is stored twice. Returns the events.
 */
export async function expectEachDecidedOnce(client: NatsClient, traffic: MixedTraffic, deniedSequences: number[]): Promise<StoredEvent[]> {
  const info = await client.jsm.streams.info(client.s.streams.admitted);
  expect(info.state.messages).toBe(traffic.admittedIds.size);
  const admitted = await client.admitted();
  await admitted.waitForCount(traffic.admittedIds.size, 60_000);
  const stored = admitted.items.map((m) => m.msgId ?? '');
  expect(new Set(stored).size).toBe(stored.length);
  expect(new Set(stored)).toEqual(traffic.admittedIds);

  const events = await client.events();
  const denials = events.filter(isEvent('MessageDenied'));
  expect(denials.reduce((n, e) => n + e.data.count, 0)).toBe(traffic.deniedCount);
  const counted = denials.flatMap((e) => e.data.inboundSequences ?? []);
  expect(counted).toHaveLength(traffic.deniedCount);
  expect(new Set(counted)).toEqual(new Set(deniedSequences));
  expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
  return events;
}
