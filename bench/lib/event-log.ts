/**
 * Writes an event log straight into TWOKEY_EVENTS, in the store's commit format, with async publish acks: the
 * fastest way to give a bench a store of a million events. The log is read back through JetStreamEventStore by
 * the code under test, so a format mismatch shows up as a decode error (a crash), never as a wrong figure.
 */
import type { JetStreamClient } from 'nats';
import type { DomainEvent, Initiator, Subjects } from '@twokey/contracts';
import { uuidv7 } from '@twokey/event-store';

export class EventLogWriter {
  private readonly versions = new Map<string, number>();
  private inflight = 0;
  private wake?: () => void;
  private failed: unknown;
  written = 0;

  constructor(
    private readonly js: JetStreamClient,
    private readonly s: Subjects,
    private readonly window = 2_000,
  ) {}

  /** One commit of `events` to `stream`; waits only when `window` publishes are unacknowledged. */
  async commit(stream: string, events: DomainEvent[], actor: Initiator, at = new Date()): Promise<void> {
    if (this.failed !== undefined) throw this.failed;
    const firstVersion = (this.versions.get(stream) ?? 0) + 1;
    this.versions.set(stream, firstVersion + events.length - 1);
    const occurredAt = at.toISOString();
    const id = `bench-${firstVersion}`;
    const body = {
      stream,
      firstVersion,
      events: events.map((e) => ({
        eventId: uuidv7(),
        type: e.type,
        schemaVersion: 1,
        occurredAt,
        correlationId: id,
        causationId: id,
        actor,
        data: e.data,
      })),
    };
    this.inflight++;
    this.js.publish(this.s.events(stream), Buffer.from(JSON.stringify(body))).then(
      () => this.settled(),
      (e) => {
        this.failed ??= e;
        this.settled();
      },
    );
    this.written += events.length;
    while (this.inflight >= this.window) await new Promise<void>((resolve) => (this.wake = resolve));
  }

  private settled(): void {
    this.inflight--;
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  async flush(): Promise<void> {
    while (this.inflight > 0) await new Promise<void>((resolve) => (this.wake = resolve));
    if (this.failed !== undefined) throw this.failed;
  }
}

export const ADMIN: Initiator = { type: 'admin', id: 'bench-admin', name: 'Bench Admin' };
