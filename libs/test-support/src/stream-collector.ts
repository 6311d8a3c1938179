/**
 * Test probes over real NATS: collect what a gateway stored on a JetStream subject (ordered consumer, from the
 * start of the stream) or published on a core subject (DLQ), and wait for it.
 */
import { JsMsg, NatsConnection, Subscription } from 'nats';

export interface Collected<T> {
  readonly items: T[];
  /** Resolves with the first collected item (already seen or future) matching `pred`. */
  waitFor(pred: (item: T) => boolean, timeoutMs?: number): Promise<T>;
  /** Resolves once at least `count` items have been collected. */
  waitForCount(count: number, timeoutMs?: number): Promise<T[]>;
  stop(): Promise<void>;
}

class Collector<T> implements Collected<T> {
  readonly items: T[] = [];
  private waiters: (() => void)[] = [];
  constructor(readonly stop: () => Promise<void>) {}

  add(item: T): void {
    this.items.push(item);
    this.waiters.splice(0).forEach((w) => w());
  }

  private async until<R>(check: () => R | undefined, timeoutMs: number, what: string): Promise<R> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = check();
      if (r !== undefined) return r;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${what} not collected within ${timeoutMs} ms (have ${this.items.length})`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  waitFor(pred: (item: T) => boolean, timeoutMs = 5000): Promise<T> {
    return this.until(() => this.items.find(pred), timeoutMs, 'a matching item');
  }

  waitForCount(count: number, timeoutMs = 5000): Promise<T[]> {
    return this.until(() => (this.items.length >= count ? this.items.slice() : undefined), timeoutMs, `${count} items`);
  }
}

export interface StoredMessage<T> {
  subject: string;
  seq: number;
  msgId?: string;
  data: T;
}

/** Every message stored in `stream` under `subject`, from the first, decoded as JSON. */
export async function collectStream<T = unknown>(nc: NatsConnection, stream: string, subject: string): Promise<Collected<StoredMessage<T>>> {
  // A string becomes filter_subject: nats-server 2.9 has no filter_subjects.
  const consumer = await nc.jetstream().consumers.get(stream, { filterSubjects: subject });
  const messages = await consumer.consume();
  const collector = new Collector<StoredMessage<T>>(async () => {
    await messages.close();
  });
  void (async () => {
    for await (const m of messages as AsyncIterable<JsMsg>) {
      collector.add({ subject: m.subject, seq: m.seq, msgId: m.headers?.get('Nats-Msg-Id') || undefined, data: m.json<T>() });
    }
  })();
  return collector;
}

/** Every core NATS message on `subject` from now on (e.g. a gateway's DLQ), decoded as JSON. */
export function collectCore<T = unknown>(nc: NatsConnection, subject: string): Collected<T> {
  const sub: Subscription = nc.subscribe(subject);
  const collector = new Collector<T>(async () => sub.unsubscribe());
  void (async () => {
    for await (const m of sub) collector.add(m.json<T>());
  })();
  return collector;
}
