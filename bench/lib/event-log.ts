/**
 * Writes an event log straight into TWOKEY_EVENTS, in the store's commit format: the fastest way to give a bench a
 * store of a million events. Commits go out as plain publishes that the stream captures, flushed every `batch`
 * (a round trip that acknowledges the whole batch); `flush()` then checks that the stream grew by exactly the
 * number of commits sent, so nothing can be silently missing. The log is read back through JetStreamEventStore by
 * the code under test, so a format mismatch shows up as a decode error (a crash), never as a wrong figure.
 */
import type { NatsConnection } from 'nats';
import type { DomainEvent, Initiator, Subjects } from '@twokey/contracts';
import { uuidv7 } from '@twokey/event-store';

export class EventLogWriter {
  private readonly versions = new Map<string, number>();
  /** Commits (JetStream messages) written. */
  commits = 0;
  private unflushed = 0;
  private startSeq?: number;
  written = 0;

  constructor(
    private readonly nc: NatsConnection,
    private readonly s: Subjects,
    private readonly batch = 1_000,
  ) {}

  /** One commit of `events` to `stream`. */
  async commit(stream: string, events: DomainEvent[], actor: Initiator, at = new Date()): Promise<void> {
    if (this.startSeq === undefined) this.startSeq = await this.lastSeq();
    const firstVersion = (this.versions.get(stream) ?? 0) + 1;
    this.versions.set(stream, firstVersion + events.length - 1);
    const occurredAt = at.toISOString();
    const id = `bench-${firstVersion}`;
    const body = {
      stream,
      firstVersion,
      occurredAt,
      correlationId: id,
      causationId: id,
      actor,
      events: events.map((e) => ({ eventId: uuidv7(), type: e.type, schemaVersion: 1, data: e.data })),
    };
    this.nc.publish(this.s.events(stream), Buffer.from(JSON.stringify(body)));
    this.commits++;
    this.written += events.length;
    if (++this.unflushed >= this.batch) {
      this.unflushed = 0;
      await this.nc.flush();
    }
  }

  /** Waits until the server has every commit, and checks the stream holds them all. */
  async flush(): Promise<void> {
    await this.nc.flush();
    const deadline = Date.now() + 30_000;
    for (;;) {
      const stored = (await this.lastSeq()) - (this.startSeq ?? 0);
      if (stored === this.commits) return;
      if (Date.now() > deadline) throw new Error(`the events stream holds ${stored} of the ${this.commits} commits written`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private async lastSeq(): Promise<number> {
    const jsm = await this.nc.jetstreamManager();
    return (await jsm.streams.info(this.s.streams.events)).state.last_seq;
  }
}

export const ADMIN: Initiator = { type: 'admin', id: 'bench-admin', name: 'Bench Admin' };
