import { createInbox, headers, type Msg, type NatsConnection, type NatsError, type Subscription } from 'nats';

/** JetStream refused the message (the PubAck carried an error), or no stream listens on the subject. */
export class JetStreamPublishError extends Error {
  override readonly name = 'JetStreamPublishError';
  constructor(
    readonly subject: string,
    message: string,
    readonly errCode?: number,
  ) {
    super(`JetStream did not store the message on ${subject}: ${message}`);
  }
}

/** No PubAck in time: the message may or may not be stored; retrying with the same msgID is safe. */
export class JetStreamPublishTimeout extends Error {
  override readonly name = 'JetStreamPublishTimeout';
  constructor(readonly subject: string, timeoutMs: number) {
    super(`no PubAck for a message on ${subject} within ${timeoutMs} ms`);
  }
}

export interface StoredAck {
  stream: string;
  seq: number;
  duplicate: boolean;
}

interface Waiting {
  subject: string;
  deadline: number;
  resolve(ack: StoredAck): void;
  reject(error: Error): void;
}

const SWEEP_INTERVAL_MS = 250;

/**
 * JetStream publish for the hot path (thousands of admitted messages a second): one inbox subscription for every
 * PubAck and one timer sweeping overdue ones, where `js.publish` costs a request object, a timer and an Error per
 * message. Same wire protocol: a core publish with a reply subject and the Nats-Msg-Id header; the server answers
 * with the PubAck JSON (or an error) on the reply subject.
 */
export class JetStreamPublisher {
  private readonly inbox: string;
  private readonly waiting = new Map<string, Waiting>();
  private readonly sub: Subscription;
  private readonly sweeper: NodeJS.Timeout;
  private readonly timeoutMs: number;
  private next = 0;

  /**
   * `inboxPrefix` must be the connection's own (NATS permissions let a user subscribe only to `_INBOX_<user>.>`);
   * undefined means nats.js's default `_INBOX`.
   */
  constructor(
    private readonly nc: NatsConnection,
    options: { inboxPrefix?: string; timeoutMs?: number } = {},
  ) {
    this.inbox = `${createInbox(options.inboxPrefix)}.`;
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.sub = nc.subscribe(`${this.inbox}*`, { callback: (err, msg) => this.onReply(err, msg) });
    this.sweeper = setInterval(() => this.sweep(Date.now()), SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  publish(subject: string, data: Uint8Array | string, msgID: string): Promise<StoredAck> {
    const token = (this.next++).toString(36);
    const h = headers();
    h.set('Nats-Msg-Id', msgID);
    return new Promise<StoredAck>((resolve, reject) => {
      this.waiting.set(token, { subject, deadline: Date.now() + this.timeoutMs, resolve, reject });
      try {
        this.nc.publish(subject, data, { reply: this.inbox + token, headers: h });
      } catch (e) {
        this.waiting.delete(token);
        reject(e as Error);
      }
    });
  }

  /** Stops listening; whatever still waits for a PubAck is rejected (the caller naks and it is retried). */
  close(): void {
    clearInterval(this.sweeper);
    this.sub.unsubscribe();
    for (const [token, w] of this.waiting) {
      this.waiting.delete(token);
      w.reject(new JetStreamPublishTimeout(w.subject, 0));
    }
  }

  private onReply(err: NatsError | null, msg: Msg): void {
    const token = msg.subject.slice(this.inbox.length);
    const w = this.waiting.get(token);
    if (!w) return;
    this.waiting.delete(token);
    if (err) return w.reject(err);
    if (msg.headers?.code === 503) return w.reject(new JetStreamPublishError(w.subject, 'no stream listens on this subject'));
    try {
      const ack = JSON.parse(Buffer.from(msg.data).toString('utf8')) as {
        stream?: string;
        seq?: number;
        duplicate?: boolean;
        error?: { description?: string; err_code?: number };
      };
      if (ack.error || typeof ack.seq !== 'number' || typeof ack.stream !== 'string') {
        return w.reject(new JetStreamPublishError(w.subject, ack.error?.description ?? 'malformed PubAck', ack.error?.err_code));
      }
      w.resolve({ stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate === true });
    } catch (e) {
      w.reject(new JetStreamPublishError(w.subject, `unreadable PubAck (${(e as Error).message})`));
    }
  }

  private sweep(nowMs: number): void {
    for (const [token, w] of this.waiting) {
      // Insertion order is deadline order: stop at the first that is not overdue.
      if (w.deadline > nowMs) break;
      this.waiting.delete(token);
      w.reject(new JetStreamPublishTimeout(w.subject, this.timeoutMs));
    }
  }
}
