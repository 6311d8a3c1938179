import { AckPolicy, ConsumerConfig, DeliverPolicy, JetStreamClient, JetStreamManager, JsMsg, nanos } from 'nats';

/**
 * An unacknowledged, in-memory, single-replica ephemeral consumer: the cheapest way to read a stream range in
 * order. The reader owns its position, so losing the consumer (server restart) only means creating another one.
 */
export function readerConfig(fromSeq: number, filterSubject?: string, inactiveMs = 30_000): Partial<ConsumerConfig> {
  return {
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: Math.max(1, fromSeq),
    ack_policy: AckPolicy.None,
    mem_storage: true,
    num_replicas: 1,
    inactive_threshold: nanos(inactiveMs),
    ...(filterSubject ? { filter_subject: filterSubject } : {}),
  };
}

export interface RangeRead {
  streamName: string;
  /** First sequence to deliver. */
  fromSeq: number;
  /** Last sequence to deliver (inclusive); messages after it are not read. */
  toSeq: number;
  filterSubject?: string;
  batchSize: number;
}

/**
 * Yields the messages of [fromSeq, toSeq] in order, pulling `batchSize` at a time, so memory stays bounded however
 * long the range is. Each pull asks for exactly the messages known to be pending, so it never waits on an empty
 * stream; the consumer is deleted at the end.
 */
export async function* readRange(js: JetStreamClient, jsm: JetStreamManager, r: RangeRead): AsyncGenerator<JsMsg> {
  if (r.fromSeq > r.toSeq) return;
  const info = await jsm.consumers.add(r.streamName, readerConfig(r.fromSeq, r.filterSubject));
  try {
    const consumer = js.consumers.getPullConsumerFor(info);
    let pending = info.num_pending;
    let lastSeq = r.fromSeq - 1;
    let deliverySeq = 0;
    while (pending > 0 && lastSeq < r.toSeq) {
      const batch: JsMsg[] = [];
      // The batch is collected before yielding so the pull is complete even if the caller stops early.
      for await (const m of await consumer.fetch({ max_messages: Math.min(r.batchSize, pending), expires: 5_000 })) {
        batch.push(m);
      }
      if (batch.length === 0) {
        throw new Error(`reading ${r.streamName} stopped at sequence ${lastSeq}: no messages were delivered`);
      }
      for (const m of batch) {
        if (m.info.deliverySequence !== ++deliverySeq) {
          throw new Error(`reading ${r.streamName}: a delivery after sequence ${lastSeq} was lost`);
        }
        pending--;
        if (m.seq > r.toSeq) return;
        lastSeq = m.seq;
        yield m;
      }
    }
  } finally {
    await jsm.consumers.delete(r.streamName, info.name).catch(() => undefined);
  }
}
