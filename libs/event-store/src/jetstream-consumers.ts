import { AckPolicy, Consumer, ConsumerConfig, DeliverPolicy, JetStreamClient, JetStreamManager, JsMsg, nanos } from 'nats';

/**
 * An unacknowledged, in-memory, single-replica ephemeral consumer: the cheapest way to read a stream range in
 * order. The reader owns its position, so losing the consumer (server restart, inactivity) only means creating
 * another one from where it stopped.
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
 * Pulls ask only for pending messages, so they are answered at once; the expiry only bounds how long a pull on a
 * lost consumer (which the server no longer answers) blocks before it is replaced.
 */
const PULL_EXPIRES_MS = 2_000;

/** Consecutive failed pulls (consumer lost, lost delivery, empty pull) before a read gives up. */
const MAX_FAILED_PULLS = 3;

/**
 * Yields the messages of [fromSeq, toSeq] in order, pulling `batchSize` at a time, so memory stays bounded however
 * long the range is. Each pull asks only for messages known to be pending, so it never waits on an empty stream.
 * A lost consumer (the caller paused longer than its inactivity threshold, or the server restarted) is replaced
 * from the next sequence; each consumer is deleted when done with.
 */
export async function* readRange(js: JetStreamClient, jsm: JetStreamManager, r: RangeRead): AsyncGenerator<JsMsg> {
  let next = r.fromSeq;
  let failures = 0;
  while (next <= r.toSeq) {
    const info = await jsm.consumers.add(r.streamName, readerConfig(next, r.filterSubject));
    try {
      const consumer = js.consumers.getPullConsumerFor(info);
      let pending = info.num_pending;
      if (pending === 0) return;
      let deliverySeq = 0;
      pulls: while (pending > 0 && next <= r.toSeq) {
        const batch = await pull(consumer, Math.min(r.batchSize, pending));
        if (batch.length === 0) {
          if (++failures >= MAX_FAILED_PULLS) {
            throw new Error(`reading ${r.streamName} failed at sequence ${next}`, { cause: batch.error });
          }
          break;
        }
        failures = 0;
        for (const m of batch) {
          // A delivery lost between pulls: start a new consumer at the first sequence not yet yielded.
          if (m.info.deliverySequence !== ++deliverySeq) break pulls;
          pending--;
          if (m.seq > r.toSeq) return;
          next = m.seq + 1;
          yield m;
        }
      }
    } finally {
      await jsm.consumers.delete(r.streamName, info.name).catch(() => undefined);
    }
  }
}

/** One complete pull, collected before anything is yielded so a caller that stops early leaves no pull behind. */
async function pull(consumer: Consumer, max: number): Promise<JsMsg[] & { error?: unknown }> {
  const batch: JsMsg[] & { error?: unknown } = [];
  try {
    for await (const m of await consumer.fetch({ max_messages: max, expires: PULL_EXPIRES_MS })) batch.push(m);
  } catch (e) {
    batch.error = e;
  }
  return batch;
}
