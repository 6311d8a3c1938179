import type { DomainEvent, Initiator, StoredEvent } from '@twokey/contracts';

/** Builds StoredEvents for specs: a growing position and clock, one commit per event unless told otherwise. */
export class EventFixtures {
  private position = 0;
  private version = new Map<string, number>();
  private clock = Date.parse('2026-11-24T10:00:00.000Z');

  constructor(readonly connection = 'telegram') {}

  tick(ms: number): this {
    this.clock += ms;
    return this;
  }

  now(): string {
    return new Date(this.clock).toISOString();
  }

  inMinutes(minutes: number): string {
    return new Date(this.clock + minutes * 60_000).toISOString();
  }

  stored(event: DomainEvent, actor: Initiator = { type: 'admin', id: 'ada' }, sameCommit = false): StoredEvent {
    const stream = `${event.type === 'MessageDenied' || event.type === 'PairingThrottled' ? 'activity' : 'access'}-${this.connection}`;
    const streamVersion = (this.version.get(stream) ?? 0) + 1;
    this.version.set(stream, streamVersion);
    if (!sameCommit) this.position++;
    return {
      ...event,
      eventId: `0190f000-0000-7000-8000-${String(this.position * 100 + streamVersion).padStart(12, '0')}`,
      schemaVersion: 1,
      stream,
      streamVersion,
      position: this.position,
      occurredAt: this.now(),
      correlationId: 'corr',
      causationId: 'cause',
      actor,
    } as StoredEvent;
  }
}

export const actor = (id: string, displayName = `User ${id}`) => ({ id, displayName });
export const dm = (id: string) => ({ id, kind: 'dm' as const });
