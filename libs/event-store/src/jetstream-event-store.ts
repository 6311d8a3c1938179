import type { JetStreamClient, JetStreamManager, NatsConnection, PubAck, StoredMsg } from 'nats';
import type { DomainEvent, StoredEvent, Subjects } from '@twokey/contracts';
import { decodeCommit, encodeCommit, storedEvents } from './commit-codec';
import { EventDecodeError, WrongExpectedVersion } from './errors';
import {
  AppendOptions,
  AppendResult,
  EventStore,
  EventSubscription,
  NO_STREAM,
  ReadStreamResult,
  StreamRevision,
  SubscribeOptions,
} from './event-store';
import { readBatches, type StoredMessage } from './jetstream-consumers';
import { isNoMessageFound, wrongLastSequence } from './jetstream-errors';
import { JetStreamSubscription } from './jetstream-subscription';
import { KeyedQueue } from './keyed-queue';
import type { StoredCommit } from './stored-commit';
import { UpcasterChain } from './upcaster-chain';
import type { UpcastingOptions } from './upcasting';

export interface JetStreamEventStoreOptions extends UpcastingOptions {
  nc: NatsConnection;
  /** Names the events stream and its subjects; the stream must exist (`ensureStreams` from @twokey/messaging). */
  subjects: Subjects;
  /** Commits per pull when reading and subscribing (default 256): bounds memory, not the length of a read. */
  batchSize?: number;
  /** Pull expiry of subscriptions (default 5 s); a consumer lost to a server restart is replaced within about this. */
  subscriptionExpiresMs?: number;
  /** How often an `expectedVersion: 'any'` append re-reads the stream after another writer got in first (default 50). */
  anyRetries?: number;
}

/** Revisions kept for `'any'` appends; beyond this the cache starts over (it is only a round-trip saver). */
const MAX_CACHED_REVISIONS = 10_000;

/**
 * The EventStore on NATS JetStream (§4): one message per commit on `<prefix>.events.<stream>`, the commit's stream
 * sequence is the position of its events, and optimistic concurrency is Nats-Expected-Last-Subject-Sequence.
 */
export class JetStreamEventStore implements EventStore {
  private readonly nc: NatsConnection;
  private readonly js: JetStreamClient;
  private jsmPromise?: Promise<JetStreamManager>;
  private readonly subjects: Subjects;
  private readonly streamName: string;
  private readonly subjectPrefix: string;
  private readonly chain: UpcasterChain;
  private readonly batchSize: number;
  private readonly expiresMs: number;
  private readonly anyRetries: number;
  private readonly revisions = new Map<string, StreamRevision>();
  private readonly anyAppends = new KeyedQueue();

  constructor(options: JetStreamEventStoreOptions) {
    this.nc = options.nc;
    this.js = options.nc.jetstream();
    this.subjects = options.subjects;
    this.streamName = options.subjects.streams.events;
    this.subjectPrefix = options.subjects.eventsAll().slice(0, -1);
    this.chain = new UpcasterChain(options);
    this.batchSize = options.batchSize ?? 256;
    this.expiresMs = options.subscriptionExpiresMs ?? 5_000;
    this.anyRetries = options.anyRetries ?? 50;
  }

  append(stream: string, events: DomainEvent[], options: AppendOptions): Promise<AppendResult> {
    const expected = options.expectedVersion;
    if (expected === 'any') return this.anyAppends.run(stream, () => this.appendAny(stream, events, options));
    return this.appendAt(stream, events, options, expected);
  }

  async readStream(stream: string): Promise<ReadStreamResult> {
    const subject = this.subjects.events(stream);
    const last = await this.lastMessage(subject);
    if (!last) return { events: [], revision: { ...NO_STREAM } };
    const lastEvents = this.decode(last);
    const revision = this.remember(stream, revisionOf(lastEvents, last.seq));
    // A stream made of one commit (most young streams) needs no consumer.
    if (lastEvents[0].streamVersion === 1) return { events: lastEvents, revision };
    const jsm = await this.jsm();
    const events: StoredEvent[] = [];
    const range = { streamName: this.streamName, fromSeq: 1, toSeq: last.seq, filterSubject: subject, batchSize: this.batchSize };
    for await (const batch of readBatches(this.nc, jsm, range)) {
      for (const m of batch) for (const e of this.decode(m)) events.push(e);
    }
    return { events, revision };
  }

  async *readAll(afterPosition = 0): AsyncGenerator<StoredEvent> {
    for await (const batch of this.readAllBatches(afterPosition)) yield* batch;
  }

  async *readAllBatches(afterPosition = 0): AsyncGenerator<StoredEvent[]> {
    for await (const messages of this.readToHead(afterPosition)) {
      const events: StoredEvent[] = [];
      for (const m of messages) {
        let decoded: StoredEvent[];
        try {
          decoded = this.decode(m);
        } catch (e) {
          // The commits before the one that cannot be read are delivered first, as a reader of single events sees them.
          if (events.length > 0) yield events;
          throw e;
        }
        for (const e of decoded) events.push(e);
      }
      yield events;
    }
  }

  /**
   * The commits after `afterPosition` up to the head, raw (batches bounded like `readAllBatches`'): for a reader
   * that decodes them elsewhere with a `CommitDecoder`. A message outside the events subjects is an EventDecodeError.
   */
  async *readAllCommits(afterPosition = 0): AsyncGenerator<StoredCommit[]> {
    for await (const messages of this.readToHead(afterPosition)) {
      yield messages.map((m) => ({ stream: this.streamOf(m), position: m.seq, data: m.data }));
    }
  }

  /** The messages after `afterPosition` up to the head as it is now, in batches. */
  private async *readToHead(afterPosition: number): AsyncGenerator<StoredMessage[]> {
    const head = await this.headPosition();
    if (head <= afterPosition) return;
    const jsm = await this.jsm();
    yield* readBatches(this.nc, jsm, { streamName: this.streamName, fromSeq: afterPosition + 1, toSeq: head, batchSize: this.batchSize });
  }

  subscribe(options: SubscribeOptions): EventSubscription {
    return new JetStreamSubscription(
      {
        nc: this.nc,
        js: this.js,
        jsm: () => this.jsm(),
        streamName: this.streamName,
        batchSize: this.batchSize,
        expiresMs: this.expiresMs,
        decode: (m) => this.decode(m),
        headPosition: () => this.headPosition(),
      },
      options,
    );
  }

  async headPosition(): Promise<number> {
    const info = await (await this.jsm()).streams.info(this.streamName);
    return info.state.last_seq;
  }

  /** One publish, no read: the server checks `expected.position` against the subject's last sequence. */
  private async appendAt(stream: string, events: DomainEvent[], options: AppendOptions, expected: StreamRevision): Promise<AppendResult> {
    const subject = this.subjects.events(stream);
    const meta = {
      occurredAt: (options.occurredAt ?? new Date()).toISOString(),
      correlationId: options.correlationId,
      causationId: options.causationId,
      actor: options.actor,
    };
    const { body, bytes } = encodeCommit(stream, expected.version + 1, events, meta, this.chain);
    let ack: PubAck;
    try {
      ack = await this.js.publish(subject, bytes, {
        expect: { lastSubjectSequence: expected.position },
        ...(options.dedupeId !== undefined ? { msgID: options.dedupeId } : {}),
      });
    } catch (e) {
      const actual = wrongLastSequence(e);
      if (actual === undefined) throw e;
      this.revisions.delete(stream);
      throw new WrongExpectedVersion(stream, expected, actual ?? undefined);
    }
    // JetStream checks Nats-Msg-Id before the expected sequence, so a retried append lands here, not in a conflict.
    if (ack.duplicate) return this.storedCommit(stream, ack.seq, options.dedupeId);
    const revision = this.remember(stream, { version: expected.version + events.length, position: ack.seq });
    return { position: ack.seq, revision, events: storedEvents(body, ack.seq) };
  }

  /**
   * `'any'` skips the caller's check, not the store's: the commit still goes in at the revision this store last saw
   * (cached per stream), and on a conflict the revision is re-read and the append retried, so stream versions stay
   * dense when several processes append to the same stream.
   */
  private async appendAny(stream: string, events: DomainEvent[], options: AppendOptions): Promise<AppendResult> {
    for (let attempt = 0; ; attempt++) {
      const revision = this.revisions.get(stream) ?? (await this.lastRevision(stream));
      try {
        return await this.appendAt(stream, events, options, revision);
      } catch (e) {
        if (!(e instanceof WrongExpectedVersion) || attempt >= this.anyRetries) throw e;
      }
    }
  }

  /** The commit a de-duplicated append already stored, as it was stored (its event ids, its revision). */
  private async storedCommit(stream: string, seq: number, dedupeId?: string): Promise<AppendResult> {
    const msg = await (await this.jsm()).streams.getMessage(this.streamName, { seq });
    const events = this.decode(msg);
    if (events[0].stream !== stream) {
      throw new Error(`dedupeId "${dedupeId}" was already used by a commit to stream ${events[0].stream}`);
    }
    return { position: seq, revision: revisionOf(events, seq), events };
  }

  private async lastRevision(stream: string): Promise<StreamRevision> {
    const last = await this.lastMessage(this.subjects.events(stream));
    return this.remember(stream, last ? revisionOf(this.decode(last), last.seq) : { ...NO_STREAM });
  }

  private async lastMessage(subject: string): Promise<StoredMsg | undefined> {
    try {
      return await (await this.jsm()).streams.getMessage(this.streamName, { last_by_subj: subject });
    } catch (e) {
      if (isNoMessageFound(e)) return undefined;
      throw e;
    }
  }

  private remember(stream: string, revision: StreamRevision): StreamRevision {
    if (this.revisions.size >= MAX_CACHED_REVISIONS && !this.revisions.has(stream)) this.revisions.clear();
    // A copy: callers get the returned object and may do with it as they like.
    this.revisions.set(stream, { ...revision });
    return revision;
  }

  private decode(m: StoredMessage): StoredEvent[] {
    return decodeCommit(m.data, m.seq, this.streamOf(m), this.chain);
  }

  private streamOf(m: StoredMessage): string {
    if (!m.subject.startsWith(this.subjectPrefix)) {
      throw new EventDecodeError(m.seq, `stored on ${m.subject}, outside ${this.subjects.eventsAll()}`);
    }
    return m.subject.slice(this.subjectPrefix.length);
  }

  private jsm(): Promise<JetStreamManager> {
    // No API check: it would cost a round trip, and every call below fails clearly if JetStream is missing.
    this.jsmPromise ??= this.nc.jetstreamManager({ checkAPI: false });
    return this.jsmPromise;
  }
}

const revisionOf = (events: StoredEvent[], position: number): StreamRevision => ({
  version: events[events.length - 1].streamVersion,
  position,
});
