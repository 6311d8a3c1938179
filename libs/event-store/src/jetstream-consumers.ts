import {
  AckPolicy,
  ConsumerConfig,
  createInbox,
  DeliverPolicy,
  JetStreamManager,
  Msg,
  NatsConnection,
  NatsError,
  nanos,
  Subscription,
} from 'nats';

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

/** One stored message as the reader hands it on: what decoding a commit needs, nothing more. */
export interface StoredMessage {
  subject: string;
  data: Uint8Array;
  /** Stream sequence: the position of the commit. */
  seq: number;
}

/**
 * Pulls ask only for pending messages, so they are answered at once; the expiry only bounds how long a pull on a
 * lost consumer (which the server no longer answers) blocks before it is replaced.
 */
const PULL_EXPIRES_MS = 2_000;
/** No message for this long while a pull is outstanding: the pull or the consumer was lost. */
const STALL_MS = PULL_EXPIRES_MS + 1_000;

/** Consecutive failed pulls (consumer lost, lost delivery, empty pull) before a read gives up. */
const MAX_FAILED_PULLS = 3;

/**
 * Batches requested ahead of the one the caller is working on: the server fills the next batch while the caller
 * decodes the current one, so the reader never idles a round trip per batch (bench 4, bench/README.md).
 */
const BATCHES_AHEAD = 2;

/**
 * What a batch may hold in bytes. Commits range from one event (~700 bytes) to a group commit of 500 denials
 * (~300 KB): counted in messages alone, three batches of those would hold ~250 MB. A batch is `batchSize` messages
 * or this many bytes (sizes as seen lately, large ones counting at once), whichever is smaller, and at least one
 * message.
 */
export const BATCH_BYTES = 256 * 1024;
/** Messages asked for before any size is known. */
const FIRST_PULL = 8;

/**
 * Yields the messages of [fromSeq, toSeq] in order, a batch (at most `batchSize`) at a time, so memory stays
 * bounded however long the range is: at most `BATCHES_AHEAD` batches are requested beyond the one being yielded.
 * Each pull asks only for messages known to be pending, so it never waits on an empty stream. A lost consumer (the
 * caller paused longer than its inactivity threshold, or the server restarted) or a lost delivery is replaced by a
 * new consumer from the next sequence; each consumer is deleted when done with.
 */
export async function* readBatches(nc: NatsConnection, jsm: JetStreamManager, r: RangeRead): AsyncGenerator<StoredMessage[]> {
  let next = r.fromSeq;
  let failures = 0;
  while (next <= r.toSeq) {
    const info = await jsm.consumers.add(r.streamName, readerConfig(next, r.filterSubject));
    if (info.num_pending === 0) {
      await jsm.consumers.delete(r.streamName, info.name).catch(() => undefined);
      return;
    }
    const pull = new PullReader(nc, r, info.name, info.num_pending);
    try {
      for (;;) {
        const batch = await pull.take();
        if (batch.length > 0) {
          failures = 0;
          next = batch[batch.length - 1].seq + 1;
          yield batch;
          continue;
        }
        // Everything received was handed on: now the way the pulls ended decides.
        if (pull.state === 'done') return;
        if (pull.state === 'failed') {
          if (++failures >= MAX_FAILED_PULLS) {
            throw new Error(`reading ${r.streamName} failed at sequence ${next}`, { cause: pull.error });
          }
          break;
        }
      }
    } finally {
      pull.close();
      await jsm.consumers.delete(r.streamName, info.name).catch(() => undefined);
    }
  }
}

type PullState = 'reading' | 'done' | 'failed';

/**
 * Pull requests on one consumer, answered on a plain inbox subscription. This is what nats.js's `fetch()` does,
 * minus what a bounded, unacknowledged read does not need: a subscription per pull, a JsMsg and a parsed info object
 * per message, an async iterator hop per message. Those cost ~4 µs per message, more than decoding the commit.
 */
class PullReader {
  state: PullState = 'reading';
  error?: unknown;
  private buffer: StoredMessage[] = [];
  private requested = 0;
  private received = 0;
  private taken = 0;
  private deliverySeq = 0;
  /** Message size to plan batches with: up at once to a larger message, down by a tenth per smaller one. */
  private messageBytes = 0;
  private wake?: () => void;
  private readonly inbox: string;
  private readonly next: string;
  private readonly sub: Subscription;

  constructor(
    private readonly nc: NatsConnection,
    private readonly r: RangeRead,
    consumer: string,
    /** Messages the consumer had pending when created: nothing beyond them is asked for. */
    private readonly available: number,
  ) {
    this.inbox = createInbox(inboxPrefixOf(nc));
    this.next = `$JS.API.CONSUMER.MSG.NEXT.${r.streamName}.${consumer}`;
    this.sub = nc.subscribe(this.inbox, { callback: (err, m) => this.receive(err, m) });
    this.request();
  }

  /**
   * The messages received so far (waiting for a whole batch while pulls are outstanding, unless the read has
   * ended), and pulls for more.
   */
  async take(): Promise<StoredMessage[]> {
    while (this.state === 'reading' && this.buffer.length < this.batchSize() && this.received < this.requested) {
      const before = this.received;
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        timer = setTimeout(resolve, STALL_MS);
      });
      clearTimeout(timer);
      this.wake = undefined;
      if (this.state === 'reading' && this.received === before && this.buffer.length < this.batchSize()) {
        this.end('failed', new Error(`no message for ${STALL_MS} ms while a pull was outstanding`));
      }
    }
    const batch = this.buffer;
    this.buffer = [];
    this.taken += batch.length;
    if (this.state === 'reading') this.request();
    return batch;
  }

  close(): void {
    this.sub.unsubscribe();
    this.wake?.();
  }

  /** Messages per batch: `batchSize`, fewer when they are large (BATCH_BYTES), few until a size is known. */
  private batchSize(): number {
    if (this.received === 0) return Math.min(this.r.batchSize, FIRST_PULL);
    const fit = Math.floor(BATCH_BYTES / Math.max(1, this.messageBytes));
    return Math.max(1, Math.min(this.r.batchSize, fit));
  }

  /** Tops the pulls up to BATCHES_AHEAD batches beyond what the caller took, never beyond what is pending. */
  private request(): void {
    const batchSize = this.batchSize();
    while (this.requested - this.taken < BATCHES_AHEAD * batchSize && this.requested < this.available) {
      const batch = Math.min(batchSize, this.available - this.requested);
      this.requested += batch;
      this.nc.publish(this.next, JSON.stringify({ batch, expires: nanos(PULL_EXPIRES_MS) }), { reply: this.inbox });
    }
  }

  private receive(err: NatsError | null, m: Msg): void {
    if (this.state !== 'reading') return;
    if (err) return this.end('failed', err);
    // Status messages (no messages, request timeout, consumer deleted, …) come on the inbox itself.
    if (m.subject === this.inbox) {
      const status = m.headers;
      return this.end('failed', new Error(`pull answered ${status?.code ?? '?'} ${status?.description ?? ''}`.trim()));
    }
    const ack = ackInfo(m.reply);
    // A delivery lost between pulls: start a new consumer at the first sequence not yet handed on.
    if (ack === undefined || ack.deliverySeq !== ++this.deliverySeq) {
      return this.end('failed', new Error(`delivery ${this.deliverySeq} was lost (got reply subject ${m.reply})`));
    }
    if (ack.streamSeq > this.r.toSeq) return this.end('done');
    this.buffer.push({ subject: m.subject, data: m.data, seq: ack.streamSeq });
    this.received++;
    const size = m.data.length;
    this.messageBytes = size >= this.messageBytes ? size : this.messageBytes * 0.9 + size * 0.1;
    if (ack.streamSeq === this.r.toSeq || ack.pending === 0 || this.received >= this.available) this.end('done');
    else if (this.buffer.length >= this.batchSize() || this.received === this.requested) this.wake?.();
  }

  private end(state: PullState, error?: unknown): void {
    this.state = state;
    this.error = error;
    this.wake?.();
  }
}

/** nats.js keeps the connection's options, and so its inbox prefix, on the connection object only. */
function inboxPrefixOf(nc: NatsConnection): string | undefined {
  return (nc as { options?: { inboxPrefix?: string } }).options?.inboxPrefix;
}

/** Dot positions of the reply subject being parsed (reused: parsing is synchronous). */
const dots = new Int32Array(12);

/**
 * Stream sequence, delivery sequence and pending count from a JetStream reply subject, without splitting it:
 * `$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<dseq>.<ts>.<pending>` (9 tokens) or, from servers with
 * domains, `$JS.ACK.<domain>.<account>.<stream>.<consumer>.<delivered>.<sseq>.<dseq>.<ts>.<pending>[.<token>]`.
 */
export function ackInfo(reply: string | undefined): { streamSeq: number; deliverySeq: number; pending: number } | undefined {
  if (reply === undefined || !reply.startsWith('$JS.ACK.')) return undefined;
  let n = 0;
  for (let i = reply.indexOf('.'); i !== -1; i = reply.indexOf('.', i + 1)) {
    if (n === dots.length) return undefined;
    dots[n++] = i;
  }
  const tokens = n + 1;
  if (tokens !== 9 && tokens !== 11 && tokens !== 12) return undefined;
  // The stream sequence is the 6th token of the short form, the 8th of the long ones.
  const s = tokens === 9 ? 5 : 7;
  const token = (t: number) => digits(reply, dots[t - 1] + 1, t < n ? dots[t] : reply.length);
  const streamSeq = token(s);
  const deliverySeq = token(s + 1);
  const pending = token(s + 3);
  if (streamSeq < 0 || deliverySeq < 0 || pending < 0) return undefined;
  return { streamSeq, deliverySeq, pending };
}

/** The decimal number in reply[from, to), or -1 when it is not one. */
function digits(reply: string, from: number, to: number): number {
  if (to <= from || to - from > 15) return -1;
  let value = 0;
  for (let i = from; i < to; i++) {
    const d = reply.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}
